namespace Drover.LocalCloud;

/// <summary>Whether the local cloud may run real machines (<see cref="LocalCloudOptions.Machines"/>).</summary>
public enum MachineMode
{
    /// <summary>Real rescue systems where the machine allows it (root, <c>ip netns</c>, <c>losetup</c>, sshd), API-only otherwise.</summary>
    Auto,

    /// <summary>API-only: servers change state through the API only.</summary>
    Off,
}
