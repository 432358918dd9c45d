using System.Text.Json;
using Drover.Testing;
using Xunit;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>
/// The real <c>hcloud</c> binary pointed at a local cloud on 127.0.0.1 (<c>HCLOUD_ENDPOINT</c>, <c>HCLOUD_TOKEN</c>),
/// with <c>HOME</c> in a temporary directory so no user configuration is read. Skips the test (with the reason) when
/// <c>hcloud</c> or <c>ssh-keygen</c> is not on <c>PATH</c>.
/// </summary>
public sealed class HcloudCliSession : IAsyncDisposable
{
    private readonly string _hcloud;
    private readonly string _sshKeygen;
    private readonly TempDirectory _home = new();

    private HcloudCliSession(string hcloud, string sshKeygen, TestLocalCloud cloud)
    {
        _hcloud = hcloud;
        _sshKeygen = sshKeygen;
        Cloud = cloud;
        Http = cloud.CreateHttpClient();
    }

    public TestLocalCloud Cloud { get; }

    /// <summary>Raw HTTP to the same cloud, for arranging state and checking results.</summary>
    public HttpClient Http { get; }

    /// <summary>The temporary home directory (also the working directory of every process).</summary>
    public TempDirectory Home => _home;

    /// <summary>Starts a loopback cloud whose actions take <paramref name="actionDuration"/> of real time.</summary>
    public static async Task<HcloudCliSession> StartAsync(TimeSpan actionDuration)
    {
        var hcloud = ProcessRunner.FindOnPath("hcloud");
        var sshKeygen = ProcessRunner.FindOnPath("ssh-keygen");
        if (hcloud is null || sshKeygen is null)
        {
            var missing = string.Join(" and ", new[] { ("hcloud", hcloud), ("ssh-keygen", sshKeygen) }.Where(t => t.Item2 is null).Select(t => t.Item1));
            Assert.Skip($"{missing} not found on PATH: these tests drive the real hcloud CLI (Debian package hcloud-cli) and OpenSSH's ssh-keygen");
        }
        var options = TestLocalCloud.DefaultOptions() with { ActionDuration = actionDuration, Machines = MachineMode.Off };
        return new HcloudCliSession(hcloud, sshKeygen, await TestLocalCloud.StartOnLoopbackAsync(options));
    }

    /// <summary>Runs <c>hcloud</c> with <paramref name="arguments"/> against the local cloud.</summary>
    public Task<ProcessResult> HcloudAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
        => ProcessRunner.RunAsync(_hcloud, arguments, _home.Path, Environment(), cancellationToken);

    /// <summary>Generates an ed25519 key pair with <c>ssh-keygen</c> and returns the public key file's path.</summary>
    public async Task<string> GenerateKeyAsync(string name, CancellationToken cancellationToken)
    {
        var privateKey = _home.File(name);
        var result = await ProcessRunner.RunAsync(_sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", $"{name}@drover-test", "-f", privateKey], _home.Path, Environment(), cancellationToken);
        return result.ExitCode == 0 ? privateKey + ".pub" : throw new InvalidOperationException($"ssh-keygen failed: {result}");
    }

    /// <summary>Sends a raw API request (path relative to <c>/v1/</c>).</summary>
    public Task<ApiReply> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
        => CloudHarness.SendAsync(Http, method, path, json, cancellationToken);

    /// <summary>GETs a resource and returns the object under <paramref name="wrapper"/>.</summary>
    public async Task<JsonElement> GetAsync(string path, string wrapper, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        return reply.Status == 200 ? reply.Json.GetProperty(wrapper) : throw new InvalidOperationException($"GET {path}: {reply}");
    }

    /// <summary>Makes every running action finish now (control API), so arranged state is ready without waiting.</summary>
    public async Task FinishActionsAsync()
        => (await Cloud.ControlAsync(HttpMethod.Post, "actions/complete")).Dispose();

    private Dictionary<string, string?> Environment() => new()
    {
        ["HOME"] = _home.Path,
        ["XDG_CONFIG_HOME"] = _home.File(".config"),
        ["HCLOUD_ENDPOINT"] = Cloud.Endpoint.ToString().TrimEnd('/'),
        ["HCLOUD_TOKEN"] = Cloud.Options.Token,
        ["HCLOUD_CONFIG"] = null,
        ["HCLOUD_CONTEXT"] = null,
        ["HCLOUD_DEBUG"] = null,
        ["HCLOUD_DEBUG_FILE"] = null,
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Cloud.DisposeAsync();
        _home.Dispose();
    }
}
