namespace Drover.LocalCloud.Hosting;

/// <summary>What <c>drover local status</c> reports.</summary>
public sealed record LocalCloudStatus
{
    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"LocalCloudStatus {{ Running = {Running}, Pid = {Pid}, Endpoint = {Endpoint} }}";

    public bool Running { get; init; }
    public int? Pid { get; init; }
    public string? Endpoint { get; init; }
    public string? Token { get; init; }
    public required string StateDirectory { get; init; }
    public required string LogFile { get; init; }
    public MachineSupport? Machine { get; init; }
}
