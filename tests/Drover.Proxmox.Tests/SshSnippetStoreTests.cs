using System.Text;
using Drover.Core.Ssh;
using Drover.Proxmox.Snippets;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

/// <summary>Snippets over SSH to the node: into the storage's own directory, atomically, and refused where a storage holds none.</summary>
public sealed class SshSnippetStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_snippet_goes_to_the_storage_path_through_a_temporary_file_with_the_content_on_stdin()
    {
        var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/storage/local").RespondData("""{"storage":"local","type":"dir","content":"iso,snippets,images","path":"/var/lib/vz"}""");
        var shell = new FakeRemoteShell().On(_ => true, _ => new ShellResult(0, "", ""));
        var nodes = new List<string>();
        var store = new SshSnippetStore(TestClient.Create(stub), node => { nodes.Add(node); return shell; });

        var volid = await store.WriteAsync("pve1", "local", "drover-lab-web1.yaml", "#cloud-config\nhostname: web1\n", Ct);

        volid.ShouldBe("local:snippets/drover-lab-web1.yaml");
        nodes.ShouldBe(["pve1"]);
        var command = shell.Commands.Single();
        command.Script.ShouldContain("mkdir -p '/var/lib/vz/snippets'");
        command.Script.ShouldContain("mktemp '/var/lib/vz/snippets/drover-lab-web1.yaml.XXXXXX'");
        command.Script.ShouldContain("mv \"$t\" '/var/lib/vz/snippets/drover-lab-web1.yaml'");
        Encoding.UTF8.GetString(command.Stdin!).ShouldBe("#cloud-config\nhostname: web1\n");
    }

    [Theory]
    [InlineData("""{"storage":"lvm","type":"lvmthin","content":"images,rootdir"}""", "does not hold snippets (its content: images,rootdir)")]
    [InlineData("""{"storage":"lvm","type":"rbd","content":"snippets"}""", "has no directory path")]
    public async Task A_storage_without_snippets_or_a_directory_is_refused_before_any_ssh(string config, string message)
    {
        var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/storage/lvm").RespondData(config);
        var shell = new FakeRemoteShell();
        var store = new SshSnippetStore(TestClient.Create(stub), _ => shell);

        var e = await Should.ThrowAsync<SnippetException>(() => store.WriteAsync("pve1", "lvm", "x.yaml", "x", Ct));

        e.Message.ShouldContain(message);
        shell.Commands.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a,b.yaml")]
    [InlineData(".hidden")]
    public async Task A_snippet_name_that_is_not_a_plain_file_name_is_refused(string name)
        => await Should.ThrowAsync<ArgumentException>(() => new SshSnippetStore(TestClient.Create(new StubHttpHandler()), _ => new FakeRemoteShell()).WriteAsync("pve1", "local", name, "x", Ct));
}
