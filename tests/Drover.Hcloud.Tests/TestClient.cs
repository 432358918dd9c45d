using Drover.Testing;

namespace Drover.Hcloud.Tests;

/// <summary>Builds an <see cref="HcloudClient"/> over a <see cref="StubHttpHandler"/>, with the retry handler in the chain.</summary>
internal static class TestClient
{
    /// <summary>A dummy token: never a real one, not even in fixtures.</summary>
    public const string Token = "dummy-token-not-a-secret-0123456789";

    public static HcloudClient Create(StubHttpHandler stub, ManualTimeProvider? time = null, Func<HcloudClientOptions, HcloudClientOptions>? configure = null)
    {
        var options = new HcloudClientOptions { Token = Token, TimeProvider = time ?? new ManualTimeProvider() };
        return HcloudClient.Create(configure is null ? options : configure(options), stub);
    }
}
