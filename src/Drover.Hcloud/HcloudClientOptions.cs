namespace Drover.Hcloud;

/// <summary>Settings of an <see cref="HcloudClient"/>.</summary>
public sealed record HcloudClientOptions
{
    /// <summary>The public Hetzner Cloud API.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.hetzner.cloud/v1");

    /// <summary>Base URL including <c>/v1</c>; a trailing slash is ignored.</summary>
    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>The API token. Sent as a bearer token; never logged, never part of an exception.</summary>
    public required string Token { get; init; }

    /// <summary>Product token prefixed to the User-Agent.</summary>
    public string UserAgent { get; init; } = "drover";

    /// <summary>
    /// Delay between action polls for the first <see cref="PollSteadyFor"/> of a wait; after that it grows by
    /// <see cref="PollBackoffFactor"/> per poll up to <see cref="PollIntervalMax"/>.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a wait polls at the steady <see cref="PollInterval"/> before backing off. Most actions (power, rescue,
    /// server create) finish within seconds, and backing off from the first poll overshot them by up to a third of their
    /// run time (a 5.0 s snapshot of the local cloud was seen at 6.6 s); 10 s at 500 ms costs at most 20 requests of the hourly 3600.
    /// </summary>
    public TimeSpan PollSteadyFor { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound of the delay between action polls.</summary>
    public TimeSpan PollIntervalMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Growth factor of the poll delay.</summary>
    public double PollBackoffFactor { get; init; } = 1.5;

    /// <summary>How many times a retryable failure is retried before it is surfaced.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>First retry delay; doubles on each retry up to <see cref="RetryDelayMax"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of a retry delay (also of a wait for the rate limit).</summary>
    public TimeSpan RetryDelayMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one HTTP attempt may take before it counts as timed out (and, if idempotent, is retried).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Clock for every wait, poll and backoff.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Page size used when listing all pages (the API's maximum is 50).</summary>
    public int PageSize { get; init; } = 50;

    internal Uri NormalizedEndpoint => new(Endpoint.ToString().TrimEnd('/') + "/");

    /// <summary>Shows the endpoint only: the token is never printed.</summary>
    public override string ToString() => $"HcloudClientOptions {{ Endpoint = {Endpoint}, Token = <redacted> }}";
}
