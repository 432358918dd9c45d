using System.Text;
using System.Text.Json;
using Drover.Hcloud;
using Drover.Testing;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>
/// An in-memory local cloud on a <see cref="ManualTimeProvider"/>, with a raw HTTP client (for wire-level assertions)
/// and an <see cref="HcloudClient"/> on the same clock (so its waits, polls and backoff are instant).
/// </summary>
public sealed class CloudHarness : IAsyncDisposable
{
    private CloudHarness(TestLocalCloud cloud, ManualTimeProvider time)
    {
        Cloud = cloud;
        Time = time;
        Http = cloud.CreateHttpClient();
        Client = cloud.CreateClient(time);
    }

    public TestLocalCloud Cloud { get; }
    public ManualTimeProvider Time { get; }
    public HttpClient Http { get; }
    public HcloudClient Client { get; }

    /// <summary>
    /// Starts a cloud whose clock moves only when told (<paramref name="autoAdvance"/> false) or whenever a client
    /// waits (true). <paramref name="configure"/> adjusts the options (state directory, action durations, ...).
    /// Machines are off (API-only) unless <paramref name="configure"/> turns them on.
    /// </summary>
    public static async Task<CloudHarness> StartAsync(bool autoAdvance = true, Func<LocalCloudOptions, LocalCloudOptions>? configure = null)
    {
        var time = new ManualTimeProvider { AutoAdvance = autoAdvance };
        var options = TestLocalCloud.DefaultOptions(time) with { Machines = MachineMode.Off };
        options = configure?.Invoke(options) ?? options;
        return new CloudHarness(await TestLocalCloud.StartInMemoryAsync(options), time);
    }

    public Task<ApiReply> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<ApiReply> PostAsync(string path, string? json, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, json, cancellationToken);

    public Task<ApiReply> PutAsync(string path, string json, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, json, cancellationToken);

    public Task<ApiReply> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>Sends a request relative to <c>/v1/</c> (or to the host root when <paramref name="path"/> starts with <c>/</c>).</summary>
    public Task<ApiReply> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
        => SendAsync(Http, method, path, json, cancellationToken);

    public static async Task<ApiReply> SendAsync(HttpClient http, HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ApiReply((int)response.StatusCode, body, response.Headers, response.Content.Headers);
    }

    /// <summary>Calls the control API (<c>POST /__localcloud/{path}</c>).</summary>
    public async Task ControlAsync(string path, string? json = null)
        => (await Cloud.ControlAsync(HttpMethod.Post, path, json)).Dispose();

    /// <summary>Moves the clock far enough for every running action to finish.</summary>
    public void FinishActions() => Time.Advance(TimeSpan.FromHours(1));

    /// <summary>Creates a server through the raw API (201 expected) and returns its ID; its actions keep running.</summary>
    public async Task<long> CreateServerAsync(string name, CancellationToken cancellationToken, string type = "cx23", string labels = "{}", string image = "ubuntu-24.04", string? sshKeys = null)
    {
        var keys = sshKeys is null ? "" : $", \"ssh_keys\": {sshKeys}";
        var reply = await PostAsync("servers", $$"""{"name": "{{name}}", "server_type": "{{type}}", "image": "{{image}}", "location": "fsn1", "labels": {{labels}}{{keys}}}""", cancellationToken);
        return Created(reply, "server");
    }

    /// <summary>Creates a server and lets its create and start actions finish.</summary>
    public async Task<long> CreateRunningServerAsync(string name, CancellationToken cancellationToken, string type = "cx23", string labels = "{}")
    {
        var id = await CreateServerAsync(name, cancellationToken, type, labels);
        FinishActions();
        return id;
    }

    /// <summary>Creates an SSH key through the raw API and returns its ID.</summary>
    public async Task<long> CreateSshKeyAsync(string name, int seed, CancellationToken cancellationToken, string labels = "{}")
    {
        var reply = await PostAsync("ssh_keys", $$"""{"name": "{{name}}", "public_key": "{{TestKeys.Ed25519(seed)}}", "labels": {{labels}}}""", cancellationToken);
        return Created(reply, "ssh_key");
    }

    /// <summary>Runs <c>create_image</c> on a server, lets it finish and returns the snapshot's ID.</summary>
    public async Task<long> CreateSnapshotAsync(long serverId, string description, CancellationToken cancellationToken, string labels = "{}")
    {
        var reply = await PostAsync($"servers/{serverId}/actions/create_image", $$"""{"type": "snapshot", "description": "{{description}}", "labels": {{labels}}}""", cancellationToken);
        var id = Created(reply, "image");
        FinishActions();
        return id;
    }

    /// <summary>The <c>id</c> of <c>{wrapper: {...}}</c> in a 201 answer.</summary>
    public static long Created(ApiReply reply, string wrapper)
    {
        if (reply.Status != 201)
        {
            throw new InvalidOperationException($"expected 201 creating a {wrapper}, got {reply}");
        }
        return reply.Json.GetProperty(wrapper).GetProperty("id").GetInt64();
    }

    /// <summary>The <c>id</c>s of the items in a list answer, in order.</summary>
    public static IReadOnlyList<long> Ids(ApiReply reply, string listName)
        => [.. reply.Json.GetProperty(listName).EnumerateArray().Select(i => i.GetProperty("id").GetInt64())];

    /// <summary>The <c>name</c>s of the items in a list answer, in order.</summary>
    public static IReadOnlyList<string?> Names(ApiReply reply, string listName)
        => [.. reply.Json.GetProperty(listName).EnumerateArray().Select(i => i.GetProperty("name").GetString())];

    /// <summary><c>meta.pagination</c> of a list answer.</summary>
    public static JsonElement Pagination(ApiReply reply) => reply.Json.GetProperty("meta").GetProperty("pagination");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Cloud.DisposeAsync();
    }
}
