using System.Net;
using Drover.Testing;

namespace Drover.Proxmox.Tests;

/// <summary>Builds a <see cref="ProxmoxClient"/> over a <see cref="StubHttpHandler"/>, with the retry handler in the chain.</summary>
internal static class TestClient
{
    /// <summary>A dummy token: never a real one, not even in fixtures.</summary>
    public const string TokenId = "root@pam!drover";
    public const string Secret = "00000000-1111-2222-3333-444444444444";
    public const string Password = "dummy-password-not-a-secret";

    /// <summary>The base path every request goes to.</summary>
    public const string Api = "/api2/json";

    public static readonly Uri Endpoint = new("https://pve.test:8006");

    public static ProxmoxClientOptions TokenOptions(ManualTimeProvider? time = null)
        => new() { Endpoint = Endpoint, ApiToken = new ProxmoxApiToken(TokenId, Secret), TimeProvider = time ?? new ManualTimeProvider() };

    public static ProxmoxClient Create(StubHttpHandler stub, ManualTimeProvider? time = null, Func<ProxmoxClientOptions, ProxmoxClientOptions>? configure = null)
    {
        var options = TokenOptions(time);
        return ProxmoxClient.Create(configure is null ? options : configure(options), new ReasonPhraseHandler { InnerHandler = stub });
    }

    /// <summary>A Proxmox error answer: the message in the reason phrase, optional JSON body.</summary>
    public static StubHttpHandler RespondPve(this StubExpectation expectation, HttpStatusCode status, string reason, string? body = """{"data":null}""")
        => expectation.Respond(status, body, headers => headers.Add(ReasonPhraseHandler.Header, reason));

    /// <summary>A success answer <c>{"data": …}</c>.</summary>
    public static StubHttpHandler RespondData(this StubExpectation expectation, string dataJson)
        => expectation.Respond(HttpStatusCode.OK, $$"""{"data":{{dataJson}}}""");
}

/// <summary>
/// Moves the test header <c>X-Test-Reason</c> of a stubbed answer into the reason phrase (where Proxmox puts its
/// error message), since the shared stub sets only status, body and headers.
/// </summary>
internal sealed class ReasonPhraseHandler : DelegatingHandler
{
    public const string Header = "X-Test-Reason";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues(Header, out var values))
        {
            response.ReasonPhrase = values.First();
            response.Headers.Remove(Header);
        }
        return response;
    }
}
