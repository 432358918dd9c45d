using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

public sealed class ClusterClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NextId_accepts_a_number_or_a_numeric_string()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/cluster/nextid").RespondData("100");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/cluster/nextid").RespondData("\"101\"");
        var client = TestClient.Create(stub);

        // Act / Assert
        (await client.Cluster.NextIdAsync(cancellationToken: Ct)).ShouldBe(100);
        (await client.Cluster.NextIdAsync(cancellationToken: Ct)).ShouldBe(101);
    }

    [Fact]
    public async Task Resources_of_type_vm_are_listed_with_their_tags_and_template_flag()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/cluster/resources?type=vm").RespondData("""
            [{"id":"qemu/9000","type":"qemu","vmid":9000,"name":"debian","node":"pve","status":"stopped","template":1,"tags":"drover;drover-digest-0123456789abcdef","maxmem":2147483648},
             {"id":"qemu/101","type":"qemu","vmid":101,"name":"web-1","node":"pve","status":"running","template":0}]
            """);
        var client = TestClient.Create(stub);

        // Act
        var vms = await client.Cluster.ListVmsAsync(Ct);

        // Assert
        vms[0].TagList.ShouldBe(["drover", "drover-digest-0123456789abcdef"]);
        vms[0].MaxMem.ShouldBe(2147483648L);
        vms.Select(v => v.Template).ShouldBe([true, false]);
    }
}
