using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Drover.Agent.Tests;

/// <summary>
/// The Hetzner metadata service on 127.0.0.1 with a free port: documents under <c>/hetzner/v1/</c>, 404 for unknown
/// paths, 204 for <c>/userdata</c> when there is none; optionally failing the first N requests (or all) with 503.
/// </summary>
internal sealed class FakeMetadataServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private FakeMetadataServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary><c>http://127.0.0.1:PORT/hetzner/v1/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Path (below <c>/hetzner/v1/</c>) → body.</summary>
    public ConcurrentDictionary<string, byte[]> Documents { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request path, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public bool FailAlways { get; set; }

    /// <summary>Called with each request's path before it is answered (a test advances its clock here).</summary>
    public Action<string>? OnRequest { get; set; }

    public int FailFirst
    {
        set => Volatile.Write(ref _failuresLeft, value);
    }

    public static async Task<FakeMetadataServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        FakeMetadataServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Urls.First();
        server = new FakeMetadataServer(app, new Uri(new Uri(address), "/hetzner/v1/"));
        return server;
    }

    /// <summary>The usual documents: <see cref="Fixtures.Metadata"/>, private networks, and user-data if given.</summary>
    public FakeMetadataServer WithDefaults(string? userData)
    {
        Documents["metadata"] = System.Text.Encoding.UTF8.GetBytes(Fixtures.Metadata);
        Documents["metadata/private-networks"] = System.Text.Encoding.UTF8.GetBytes(Fixtures.PrivateNetworks);
        if (userData is not null)
        {
            Documents["userdata"] = System.Text.Encoding.UTF8.GetBytes(userData);
        }

        return this;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        Requests.Enqueue(path);
        OnRequest?.Invoke(path);
        if (FailAlways || Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        const string prefix = "/hetzner/v1/";
        var key = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : null;
        if (key is not null && Documents.TryGetValue(key, out var body))
        {
            context.Response.ContentType = key == "metadata/public-keys" ? "application/json" : "text/plain";
            await context.Response.Body.WriteAsync(body);
            return;
        }

        context.Response.StatusCode = key == "userdata" ? StatusCodes.Status204NoContent : StatusCodes.Status404NotFound;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
