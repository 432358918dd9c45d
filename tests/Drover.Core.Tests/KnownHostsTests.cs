using Drover.Core.Processes;
using Drover.Core.Ssh;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

public sealed class KnownHostsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-known-hosts-test-");

    private string File_ => Path.Combine(_dir.FullName, "known_hosts");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Plain_entries_for_the_address_go_and_everything_else_stays()
    {
        var key = "ssh-ed25519 " + Convert.ToBase64String(new byte[51]);
        File.WriteAllText(File_, $"""
            # kept comment
            198.18.0.5 {key}
            198.18.0.50 {key}
            [198.18.0.5]:2222 {key}
            10.0.0.1,198.18.0.5 {key}
            @revoked 198.18.0.5 {key}
            2a01:4f8::1 {key}

            """);

        var removed = KnownHosts.Forget(File_, ["198.18.0.5", "2a01:4f8::1"]);

        removed.ShouldBe(3);
        File.ReadAllText(File_).ShouldBe($"""
            # kept comment
            198.18.0.50 {key}
            [198.18.0.5]:2222 {key}
            @revoked 198.18.0.5 {key}

            """);
    }

    [Fact]
    public void A_non_default_port_is_matched_in_brackets()
    {
        var key = "ssh-ed25519 " + Convert.ToBase64String(new byte[51]);
        File.WriteAllText(File_, $"198.18.0.5 {key}\n[198.18.0.5]:2222 {key}\n");

        KnownHosts.Forget(File_, ["198.18.0.5"], port: 2222).ShouldBe(1);

        File.ReadAllText(File_).ShouldBe($"198.18.0.5 {key}\n");
    }

    [Fact]
    public void A_missing_file_or_no_match_changes_nothing()
    {
        KnownHosts.Forget(File_, ["198.18.0.5"]).ShouldBe(0);
        File.Exists(File_).ShouldBeFalse();
        File.WriteAllText(File_, "198.18.0.6 ssh-ed25519 AAAA\n");
        var before = File.GetLastWriteTimeUtc(File_);

        KnownHosts.Forget(File_, ["198.18.0.5"]).ShouldBe(0);

        File.ReadAllText(File_).ShouldBe("198.18.0.6 ssh-ed25519 AAAA\n");
        File.GetLastWriteTimeUtc(File_).ShouldBe(before);
    }

    [Fact]
    public async Task Entries_hashed_by_ssh_keygen_are_forgotten_and_ssh_keygen_agrees()
    {
        var keygen = await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_dir.FullName, "host"));
        if (keygen is null)
        {
            Assert.Skip("ssh-keygen is not installed (openssh-client; scripts/setup installs it)");
        }
        var key = File.ReadAllText(Path.Combine(_dir.FullName, "host.pub")).Split(' ')[..2];
        File.WriteAllText(File_, $"198.18.0.5 {key[0]} {key[1]}\n198.18.0.6 {key[0]} {key[1]}\n");
        (await RunAsync("ssh-keygen", "-H", "-f", File_))!.Value.ExitCode.ShouldBe(0);
        File.ReadAllText(File_).ShouldNotContain("198.18.0.5", customMessage: "ssh-keygen -H hashed the names");

        var removed = KnownHosts.Forget(File_, ["198.18.0.5"]);

        removed.ShouldBe(1);
        (await RunAsync("ssh-keygen", "-F", "198.18.0.5", "-f", File_))!.Value.ExitCode.ShouldBe(1, "ssh-keygen no longer finds the forgotten address");
        (await RunAsync("ssh-keygen", "-F", "198.18.0.6", "-f", File_))!.Value.ExitCode.ShouldBe(0, "the other address is still known");
    }

    private static async Task<(int ExitCode, string Output)?> RunAsync(string file, params string[] args)
    {
        if (!ProcessRunner.IsInstalled(file))
        {
            return null;
        }
        var result = await ProcessRunner.RunAsync(file, args, cancellationToken: TestContext.Current.CancellationToken);
        return (result.ExitCode, result.Stdout + result.Stderr);
    }
}
