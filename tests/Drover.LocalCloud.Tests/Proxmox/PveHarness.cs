using System.Net.Http.Headers;
using System.Text;
using Drover.LocalCloud.Proxmox;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>
/// An in-memory local cloud (machines off) on a <see cref="ManualTimeProvider"/>, with a raw HTTP client that
/// authenticates to its Proxmox VE with the API token, and direct access to the node's state (to await tasks).
/// </summary>
public sealed class PveHarness : IAsyncDisposable
{
    public const string Node = "drover";

    private readonly WebApplication _app;
    private readonly HttpMessageHandler _handler;

    private PveHarness(WebApplication app, ManualTimeProvider time)
    {
        _app = app;
        Time = time;
        Pve = app.Services.GetRequiredService<LocalProxmox>();
        _handler = app.GetTestServer().CreateHandler();
        Http = Client(Token);
    }

    public ManualTimeProvider Time { get; }
    public LocalProxmox Pve { get; }
    public HttpClient Http { get; }

    public string Token => $"PVEAPIToken={PveCredentials.TokenId}={Pve.Credentials.TokenSecret}";

    public static async Task<PveHarness> StartAsync(string? stateDirectory = null)
    {
        var time = new ManualTimeProvider();
        var options = TestLocalCloud.DefaultOptions(time) with { Machines = MachineMode.Off, StateDirectory = stateDirectory };
        var app = LocalCloudApp.Build(options, b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return new PveHarness(app, time);
    }

    /// <summary>A client with the given Authorization header value (none when null).</summary>
    public HttpClient Client(string? authorization)
    {
        var http = new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri("https://pve.test/api2/json/") };
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }
        return http;
    }

    /// <summary>The local cloud's own client (its control API under /__localcloud/).</summary>
    public HttpClient ControlClient()
    {
        var http = new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri("http://localcloud.test/__localcloud/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestLocalCloud.DefaultToken);
        return http;
    }

    public Task<PveReply> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(Http, HttpMethod.Get, path, null, cancellationToken);

    public Task<PveReply> PostAsync(string path, IDictionary<string, string>? form, CancellationToken cancellationToken) => SendAsync(Http, HttpMethod.Post, path, form, cancellationToken);

    public Task<PveReply> PutAsync(string path, IDictionary<string, string>? form, CancellationToken cancellationToken) => SendAsync(Http, HttpMethod.Put, path, form, cancellationToken);

    public Task<PveReply> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(Http, HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>Sends a request relative to <c>/api2/json/</c>, the body form-urlencoded as PVE clients send it.</summary>
    public static async Task<PveReply> SendAsync(HttpClient http, HttpMethod method, string path, IDictionary<string, string>? form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative))
        {
            Content = form is null ? null : new FormUrlEncodedContent(form),
        };
        return await SendAsync(http, request, cancellationToken);
    }

    public static async Task<PveReply> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        // The raw header as sent, read before the body (reading it parses the header, which re-formats it with a space after ';').
        var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? string.Join(",", values) : null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new PveReply((int)response.StatusCode, response.ReasonPhrase, contentType, body);
    }

    /// <summary>Waits for the task of a UPID reply and returns its status object (over HTTP).</summary>
    public async Task<PveReply> WaitAsync(PveReply upidReply, CancellationToken cancellationToken)
    {
        if (upidReply.Status != 200)
        {
            throw new InvalidOperationException($"expected a UPID, got {upidReply}");
        }
        var upid = upidReply.Data.GetString()!;
        await Pve.State.Tasks.Get(upid)!.Finished.WaitAsync(TimeSpan.FromMinutes(2), TimeProvider.System, cancellationToken);
        return await GetAsync($"nodes/{Node}/tasks/{Uri.EscapeDataString(upid)}/status", cancellationToken);
    }

    /// <summary>Waits for a task that must end OK.</summary>
    public async Task OkAsync(PveReply upidReply, CancellationToken cancellationToken)
    {
        var status = await WaitAsync(upidReply, cancellationToken);
        var exit = status.Data.GetProperty("exitstatus").GetString();
        if (exit != "OK")
        {
            throw new InvalidOperationException($"task {upidReply.Data} ended with '{exit}'");
        }
    }

    /// <summary>Puts a small raw disk (1 MiB, a marker at its start) into the storage's import folder and returns its volume ID.</summary>
    public string SeedImport(string name = "disk.raw")
    {
        var file = Path.Combine(Pve.State.Storage.Folder("import"), name);
        var bytes = new byte[1 << 20];
        Encoding.ASCII.GetBytes("drover-test-disk").CopyTo(bytes, 0);
        File.WriteAllBytes(file, bytes);
        return $"local:import/{name}";
    }

    /// <summary>Creates VM <paramref name="vmid"/> importing a seeded raw disk, with a cloud-init drive; waits for it.</summary>
    public async Task CreateVmAsync(long vmid, CancellationToken cancellationToken, IDictionary<string, string>? extra = null)
    {
        var source = SeedImport();
        var form = new Dictionary<string, string>
        {
            ["vmid"] = vmid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["name"] = $"vm{vmid}",
            ["scsi0"] = $"local:0,import-from={source}",
            ["ide2"] = "local:cloudinit",
            ["net0"] = "virtio,bridge=vmbr0",
            ["scsihw"] = "virtio-scsi-pci",
            ["serial0"] = "socket",
            ["vga"] = "serial0",
            ["agent"] = "1",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            form[key] = value;
        }
        await OkAsync(await PostAsync($"nodes/{Node}/qemu", form, cancellationToken), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
