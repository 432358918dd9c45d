namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The local Proxmox VE that runs inside the local cloud's process: one node, its credentials, its state, and the
/// API's methods. On Kestrel it has its own https listener (<see cref="Port"/>); in memory (tests) every
/// <c>/api2/</c> request is its.
/// </summary>
public sealed class LocalProxmox : IAsyncDisposable
{
    internal LocalProxmox(LocalCloudOptions options, PveMachines? machines, Microsoft.Extensions.Logging.ILogger? log)
    {
        Credentials = PveCredentials.LoadOrCreate(options.StateDirectory, options.TimeProvider);
        State = new PveState(options.ProxmoxNode, options.StateDirectory, options.TimeProvider, machines, log);
        Auth = new PveAuth(Credentials, options.TimeProvider);
        AuthFailureDelay = options.ProxmoxAuthFailureDelay;
        Time = options.TimeProvider;
        Routes = PveEndpoints.All(State, Auth, () => Credentials.Fingerprint);
    }

    public PveCredentials Credentials { get; }

    public PveState State { get; }

    internal PveAuth Auth { get; }

    internal IReadOnlyList<PveRoute> Routes { get; }

    internal TimeSpan AuthFailureDelay { get; }

    internal TimeProvider Time { get; }

    /// <summary>The https port once Kestrel listens; null in memory.</summary>
    public int? Port { get; internal set; }

    /// <summary><c>https://127.0.0.1:PORT/api2/json</c> once listening.</summary>
    public string? Endpoint => Port is { } port ? $"https://127.0.0.1:{port}/api2/json" : null;

    /// <summary>Whether a request is the Proxmox API's: on its own port, or (in memory) under <c>/api2/</c>.</summary>
    internal bool Serves(HttpContext context)
        => Port is { } port ? context.Connection.LocalPort == port : (context.Request.Path.Value ?? "").StartsWith("/api2/", StringComparison.Ordinal);

    public ValueTask DisposeAsync() => State.DisposeAsync();
}
