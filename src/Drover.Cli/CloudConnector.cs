using Drover.Cli.Config;
using Drover.Hcloud;
using Drover.Images.Runs;

namespace Drover.Cli;

/// <summary>Which API a command talks to, and how that was decided.</summary>
public sealed record CloudTarget(string ContextName, Uri Endpoint, string Token, string Source)
{
    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"CloudTarget {{ ContextName = {ContextName}, Endpoint = {Endpoint}, Source = {Source} }}";
}

/// <summary>
/// Resolves the target: <c>--context</c> flag, then <c>HCLOUD_TOKEN</c>/<c>HCLOUD_ENDPOINT</c>, then
/// <c>HCLOUD_CONTEXT</c>, then the config file's active context, then <c>local</c> (started on demand).
/// </summary>
public sealed class CloudConnector(DroverPaths paths, CliIO io)
{
    public async Task<CloudTarget> ResolveAsync(string? contextFlag, CancellationToken cancellationToken)
    {
        var envToken = io.Env("HCLOUD_TOKEN");
        var envEndpoint = io.Env("HCLOUD_ENDPOINT");
        if (contextFlag is null && envToken is not null)
        {
            return new CloudTarget("(environment)", ParseEndpoint(envEndpoint, "HCLOUD_ENDPOINT") ?? HcloudClientOptions.DefaultEndpoint, envToken, "HCLOUD_TOKEN");
        }
        var store = new ContextStore(paths.ConfigFile);
        var config = store.Load();
        var name = contextFlag ?? io.Env("HCLOUD_CONTEXT") ?? config.ActiveContext ?? ContextStore.LocalContext;
        if (name == ContextStore.LocalContext)
        {
            var status = await LocalCloudAccess.Manager(paths, io).UpAsync(cancellationToken);
            return new CloudTarget(name, new Uri(status.Endpoint!), status.Token!, "local cloud");
        }
        var context = config.Contexts.FirstOrDefault(c => c.Name == name)
            ?? throw new UsageException($"no context named '{name}' in {store.FilePath} (see 'drover context list')");
        var token = context.Token ?? throw new UsageException($"context '{name}' has no token");
        // HCLOUD_ENDPOINT goes with HCLOUD_TOKEN only: a stored context's token is never sent anywhere but its own endpoint.
        var endpoint = ParseEndpoint(context.Endpoint, $"context '{name}' endpoint") ?? HcloudClientOptions.DefaultEndpoint;
        return new CloudTarget(name, endpoint, token, $"context '{name}'");
    }

    public async Task<HcloudClient> ConnectAsync(string? contextFlag, CancellationToken cancellationToken)
        => Create(await ResolveAsync(contextFlag, cancellationToken));

    /// <summary>
    /// A client, and this machine's ledger of runs in that cloud (which uploads are alive, which were killed): for
    /// commands that create temporary resources or clean them up.
    /// </summary>
    public async Task<(HcloudClient Client, RunLedger Runs)> ConnectWithRunsAsync(string? contextFlag, CancellationToken cancellationToken)
    {
        var target = await ResolveAsync(contextFlag, cancellationToken);
        return (Create(target), Runs(target));
    }

    /// <summary>The ledger of this machine's runs in <paramref name="target"/>'s cloud (scoped by context or endpoint, never by token).</summary>
    public RunLedger Runs(CloudTarget target)
    {
        var scope = target.ContextName == ContextStore.LocalContext ? "local"
            : target.Source == "HCLOUD_TOKEN" ? $"env:{target.Endpoint}"
            : $"context:{target.ContextName}";
        return new RunLedger(Path.Combine(paths.DataDirectory, "runs"), scope);
    }

    private HcloudClient Create(CloudTarget target)
        => HcloudClient.Create(new HcloudClientOptions { Endpoint = target.Endpoint, Token = target.Token, UserAgent = "drover/0.1" }, null, new CliEnv(io, paths).Logging);

    private static Uri? ParseEndpoint(string? value, string what)
    {
        if (value is null)
        {
            return null;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"{what}: '{value}' is not an http(s) URL");
    }
}
