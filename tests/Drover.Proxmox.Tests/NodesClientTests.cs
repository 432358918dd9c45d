using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

public sealed class NodesClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_and_get_read_the_nodes()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        const string nodes = """[{"node":"pve","status":"online","ssl_fingerprint":"AA:BB","maxcpu":4,"maxmem":8589934592,"cpu":0.02}]""";
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes").RespondData(nodes);
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes").RespondData(nodes);
        var client = TestClient.Create(stub);

        // Act
        var list = await client.Nodes.ListAsync(Ct);
        var missing = await client.Nodes.GetAsync("pve2", Ct);

        // Assert
        list.ShouldHaveSingleItem().SslFingerprint.ShouldBe("AA:BB");
        missing.ShouldBeNull();
    }
}
