using System.Diagnostics;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>The acceptance point through the CLI: a build that would carry a private key is refused, naming the file.</summary>
[MachineTier]
public sealed class ImageBuildCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_debian_build_with_a_planted_private_key_is_refused_naming_the_file_and_writes_nothing()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/mmdebstrap"))
        {
            Assert.Skip("a debian build needs root and mmdebstrap (bash scripts/setup installs it)");
        }
        _cli.ShareRootfsCache();
        var key = Path.Combine(_cli.Home, "deploy_key");
        using (var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])!)
        {
            await keygen.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        var agent = Path.Combine(_cli.Home, "agent");
        await File.WriteAllTextAsync(agent, "#!/bin/sh\necho stand-in agent\n", TestContext.Current.CancellationToken);
        var output = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync("image", "build", "--builder", "debian", "--name", "planted", "--agent", agent,
            "--add-file", $"{key}:/opt/app/.ssh/id_ed25519", "--output-dir", output);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("/opt/app/.ssh/id_ed25519");
        result.Stderr.ShouldContain("private-key");
        result.Stderr.ShouldNotContain("PRIVATE KEY-----\n");
        (Directory.Exists(output) ? Directory.GetFiles(output) : []).ShouldBeEmpty();
    }
}
