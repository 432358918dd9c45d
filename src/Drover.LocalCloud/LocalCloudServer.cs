using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.LocalCloud.Proxmox;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Drover.LocalCloud;

/// <summary>Runs the local cloud on 127.0.0.1 until stopped, announcing its endpoint in a ready file.</summary>
public static class LocalCloudServer
{
    /// <summary>
    /// Starts Kestrel on 127.0.0.1:<paramref name="port"/> (0 = any free port) and returns the running app and its
    /// endpoint; the local Proxmox VE listens on its own https port (the last run's where it is free, else any).
    /// </summary>
    public static async Task<(WebApplication App, Uri Endpoint)> StartAsync(LocalCloudOptions options, int port, CancellationToken cancellationToken = default)
    {
        var app = LocalCloudApp.Build(options, b => b.WebHost.UseKestrel(kestrel =>
        {
            var proxmox = kestrel.ApplicationServices.GetRequiredService<LocalProxmox>();
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Listen(IPAddress.Loopback, PreferredOrAny(proxmox.Credentials.SavedPort), listen => listen.UseHttps(proxmox.Credentials.Certificate));
        }));
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var pve = app.Services.GetRequiredService<LocalProxmox>();
        pve.Port = new Uri(addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal))).Port;
        pve.Credentials.SavePort(pve.Port.Value);
        var address = addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal));
        return (app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    /// <summary>
    /// <paramref name="preferred"/> when it is free on 127.0.0.1 (a restarted local cloud keeps its endpoint, so clients
    /// that exported it go on working), otherwise 0 (any free port).
    /// </summary>
    public static int PreferredOrAny(int preferred)
    {
        if (preferred <= 0)
        {
            return 0;
        }
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, preferred));
            return preferred;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return 0;
        }
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> fires or the process gets SIGTERM/SIGINT.</summary>
    public static async Task<int> RunAsync(LocalCloudOptions options, int port, string? readyFile, CancellationToken cancellationToken = default)
    {
        var (app, endpoint) = await StartAsync(options, port, cancellationToken);
        if (readyFile is not null)
        {
            var ready = new ReadyInfo { Pid = Environment.ProcessId, Endpoint = endpoint.ToString(), StateDirectory = options.StateDirectory };
            Drover.Core.Files.AtomicFile.WriteAllText(readyFile, JsonSerializer.Serialize(ready, ReadyJsonContext.Default.ReadyInfo));
        }
        await Console.Error.WriteLineAsync($"local cloud listening on {endpoint}; Proxmox VE on {app.Services.GetRequiredService<LocalProxmox>().Endpoint}");
        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }
}

/// <summary>What a started local cloud writes to its ready file.</summary>
public sealed record ReadyInfo
{
    public int Pid { get; init; }
    public required string Endpoint { get; init; }
    public string? StateDirectory { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ReadyInfo))]
public sealed partial class ReadyJsonContext : JsonSerializerContext;
