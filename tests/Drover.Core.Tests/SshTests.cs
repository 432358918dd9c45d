using Drover.Core.Ssh;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

public sealed class SshTests
{
    [Theory]
    [InlineData("admin@198.18.0.5", "admin", "198.18.0.5")]
    [InlineData("198.18.0.5", "root", "198.18.0.5")]
    [InlineData("root@[2a01:4f8::1]", "root", "2a01:4f8::1")]
    public void A_target_parses_as_user_at_host(string text, string user, string host)
    {
        var target = SshTarget.Parse(text, 2222, "/k");

        target.ShouldBe(new SshTarget(user, host, 2222, "/k"));
        target.ToString().ShouldBe($"{user}@{host}:2222");
    }

    [Theory]
    [InlineData("@host")]
    [InlineData("user@")]
    [InlineData("us er@host")]
    public void A_malformed_target_is_refused(string text)
        => Should.Throw<ArgumentException>(() => SshTarget.Parse(text)).Message.ShouldContain("is not USER@ADDRESS");

    [Fact]
    public void Ssh_never_prompts_trusts_new_keys_into_the_file_given_and_notices_a_dead_link()
    {
        var args = OpenSsh.Arguments(new SshTarget("root", "198.18.0.5", 22, "/keys/id"), "true",
            new SshOptions { KnownHostsFile = "/kh", IgnoreGlobalKnownHosts = true, ConnectTimeoutSeconds = 7, Ciphers = SshOptions.FastCiphers });

        string.Join(' ', args).ShouldBe("-i /keys/id -o IdentitiesOnly=yes -o UserKnownHostsFile=/kh -o GlobalKnownHostsFile=/dev/null -o Ciphers="
            + SshOptions.FastCiphers + " -p 22 -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=7 -o ServerAliveInterval=10"
            + " -o ServerAliveCountMax=3 -o LogLevel=ERROR -T root@198.18.0.5 true");
    }

    [Fact]
    public async Task A_throwaway_key_pair_is_made_by_ssh_keygen_and_removed_on_dispose()
    {
        if (!Processes.ProcessRunner.IsInstalled("ssh-keygen"))
        {
            Assert.Skip("ssh-keygen is not installed (openssh-client; scripts/setup installs it)");
        }
        string privateKey;
        await using (var pair = await SshKeyPair.CreateAsync("drover-test", cancellationToken: TestContext.Current.CancellationToken))
        {
            privateKey = pair.PrivateKeyFile;
            pair.PublicKey.ShouldStartWith("ssh-ed25519 AAAA");
            pair.PublicKey.ShouldEndWith(" drover-test");
            File.GetUnixFileMode(privateKey).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Exists(privateKey).ShouldBeFalse();
    }
}
