using System.Net.Http.Headers;
using System.Text;
using Drover.Hcloud;
using Drover.LocalCloud;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Testing;

/// <summary>
/// A local cloud for tests: in memory through the ASP.NET test host (default), or on 127.0.0.1 with a real port
/// (<see cref="StartOnLoopbackAsync"/>) for clients that run as separate processes, such as the hcloud CLI.
/// </summary>
public sealed class TestLocalCloud : IAsyncDisposable
{
    public const string DefaultToken = "test-token-0123456789abcdef";

    private readonly WebApplication _app;
    private readonly HttpMessageHandler? _handler;

    private TestLocalCloud(WebApplication app, LocalCloudOptions options, Uri endpoint, HttpMessageHandler? handler)
    {
        _app = app;
        Options = options;
        Endpoint = endpoint;
        _handler = handler;
    }

    public LocalCloudOptions Options { get; }

    /// <summary>Base URL including <c>/v1</c>.</summary>
    public Uri Endpoint { get; }

    public static LocalCloudOptions DefaultOptions(TimeProvider? timeProvider = null) => new()
    {
        Token = DefaultToken,
        ActionDuration = TimeSpan.FromSeconds(1),
        TimeProvider = timeProvider ?? TimeProvider.System,
        // API-only unless a test asks for real rescue systems (Machines = Auto): cheaper, and nothing on the host.
        Machines = MachineMode.Off,
    };

    /// <summary>In memory: requests go straight from the client's handler into the app, no socket.</summary>
    public static async Task<TestLocalCloud> StartInMemoryAsync(LocalCloudOptions? options = null)
    {
        options ??= DefaultOptions();
        var app = LocalCloudApp.Build(options, b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return new TestLocalCloud(app, options, new Uri("http://localcloud.test/v1"), app.GetTestServer().CreateHandler());
    }

    /// <summary>On 127.0.0.1 with a free port, for out-of-process clients.</summary>
    public static async Task<TestLocalCloud> StartOnLoopbackAsync(LocalCloudOptions? options = null)
    {
        options ??= DefaultOptions();
        var (app, endpoint) = await LocalCloudServer.StartAsync(options, 0);
        return new TestLocalCloud(app, options, endpoint, null);
    }

    /// <summary>
    /// On 127.0.0.1 with real machines (rescue systems, QEMU boots) and its state under <paramref name="stateDirectory"/>,
    /// fast actions. <c>MachinesUnavailable</c> is the cloud's own reason where machines are not possible here (the
    /// cloud then runs API-only, and machine tests skip with that reason).
    /// </summary>
    public static async Task<(TestLocalCloud Cloud, string? MachinesUnavailable)> StartWithMachinesAsync(string stateDirectory)
    {
        var cloud = await StartOnLoopbackAsync(DefaultOptions() with
        {
            Machines = MachineMode.Auto,
            ActionDuration = TimeSpan.FromMilliseconds(100),
            StateDirectory = stateDirectory,
        });
        using var status = System.Text.Json.JsonDocument.Parse(await (await cloud.ControlAsync(HttpMethod.Get, "status")).Content.ReadAsStringAsync());
        var machine = status.RootElement.GetProperty("machine");
        return (cloud, machine.GetProperty("mode").GetString() == "machines"
            ? null
            : "the local cloud runs API-only here: " + machine.GetProperty("reason").GetString());
    }

    /// <summary>A client over this cloud (retry handler included). Pass the same time provider as the cloud's to make waits instant.</summary>
    /// <remarks><paramref name="wrap"/> puts a handler of the test's own between the client and the cloud.</remarks>
    public HcloudClient CreateClient(TimeProvider? timeProvider = null, string? token = null, int maxRetries = 5, Func<HttpMessageHandler, DelegatingHandler>? wrap = null)
    {
        var options = new HcloudClientOptions
        {
            Endpoint = Endpoint,
            Token = token ?? Options.Token,
            TimeProvider = timeProvider ?? Options.TimeProvider,
            MaxRetries = maxRetries,
        };
        if (wrap is not null)
        {
            // The wrapper owns its inner handler: give it one the cloud does not share.
            HttpMessageHandler inner = _handler is null ? new SocketsHttpHandler() : new NonDisposingHandler(_handler);
            return HcloudClient.Create(options, wrap(inner));
        }
        return HcloudClient.Create(options, _handler);
    }

    /// <summary>Passes requests to the test server's handler without disposing it with the client.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => _invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _invoker.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>The local Proxmox VE that runs inside this cloud.</summary>
    public Drover.LocalCloud.Proxmox.LocalProxmox Proxmox => _app.Services.GetRequiredService<Drover.LocalCloud.Proxmox.LocalProxmox>();

    /// <summary>
    /// A Drover Proxmox client of the local Proxmox VE with its API token: in memory through the app's handler, or over
    /// https on 127.0.0.1 pinned to its certificate. The local node's tasks (disk imports, clones) run on threads of
    /// their own, on the wall clock: an auto-advancing clock would run a task's time limit out in a tight loop of polls,
    /// so the client waits on the system clock by default and polls every 50 ms.
    /// </summary>
    /// <remarks><paramref name="wrap"/> puts a handler of the test's own between the client and the cloud (in memory only).</remarks>
    public Drover.Proxmox.ProxmoxClient CreateProxmoxClient(TimeProvider? timeProvider = null, string? tokenSecret = null, Func<HttpMessageHandler, DelegatingHandler>? wrap = null)
    {
        var pve = Proxmox;
        var options = new Drover.Proxmox.ProxmoxClientOptions
        {
            Endpoint = _handler is null ? new Uri(pve.Endpoint ?? throw new InvalidOperationException("the local Proxmox VE has no listener")) : new Uri("https://pve.test:8006"),
            ApiToken = new Drover.Proxmox.ProxmoxApiToken(Drover.LocalCloud.Proxmox.PveCredentials.TokenId, tokenSecret ?? pve.Credentials.TokenSecret),
            Fingerprint = Drover.Proxmox.CertificateFingerprint.Parse(pve.Credentials.Fingerprint),
            TimeProvider = timeProvider ?? TimeProvider.System,
            TaskPollInterval = timeProvider is null ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromSeconds(1),
        };
        HttpMessageHandler? inner = _handler is null ? null : new NonDisposingHandler(_handler);
        return Drover.Proxmox.ProxmoxClient.Create(options, wrap is null || inner is null ? inner : wrap(inner));
    }

    /// <summary>A raw HTTP client with the bearer token set, for wire-level assertions.</summary>
    public HttpClient CreateHttpClient(string? token = null)
    {
        var http = _handler is null ? new HttpClient() : new HttpClient(_handler, disposeHandler: false);
        http.BaseAddress = new Uri(Endpoint.ToString().TrimEnd('/') + "/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Options.Token);
        return http;
    }

    /// <summary>Calls the control API (<c>/__localcloud/...</c>) with a JSON body.</summary>
    public async Task<HttpResponseMessage> ControlAsync(HttpMethod method, string path, string? json = null)
    {
        using var http = CreateHttpClient();
        using var request = new HttpRequestMessage(method, new Uri(Endpoint, "/__localcloud/" + path))
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        };
        var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode
            ? response
            : throw new InvalidOperationException($"control {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
