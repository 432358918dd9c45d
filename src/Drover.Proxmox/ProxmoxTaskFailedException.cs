namespace Drover.Proxmox;

/// <summary>A Proxmox task ended with an exit status other than <c>OK</c> or <c>WARNINGS: n</c>.</summary>
public sealed class ProxmoxTaskFailedException(Upid upid, string exitStatus, IReadOnlyList<string> logTail)
    : Drover.Core.DroverException(Format(upid, exitStatus, logTail))
{
    public Upid Upid { get; } = upid;

    /// <summary>The task's exit status: the error text.</summary>
    public string ExitStatus { get; } = exitStatus;

    /// <summary>The last lines of the task log (empty when it could not be read).</summary>
    public IReadOnlyList<string> LogTail { get; } = logTail;

    public override IReadOnlyList<string> Lines => Message.Split('\n');

    private static string Format(Upid upid, string exitStatus, IReadOnlyList<string> logTail)
    {
        var head = $"Proxmox task {upid.Type} of {(upid.Id.Length > 0 ? upid.Id : "-")} on node {upid.Node} failed: {exitStatus}";
        return logTail.Count == 0 ? head : head + "\n" + string.Join("\n", logTail.Select(l => "  | " + l));
    }
}
