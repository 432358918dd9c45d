using Drover.Images.Scan;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// The secret scanner over a directory tree. Keys are generated with ssh-keygen at test time and tokens are made up at
/// run time, so no secret-looking value is committed.
/// </summary>
public sealed class ScanTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("drover-scan-test-");

    public void Dispose() => _root.Delete(recursive: true);

    private string Plant(string imagePath, string text)
    {
        var path = Path.Combine(_root.FullName, imagePath.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<string> KeyAsync(string type, params string[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("drover-scan-key-");
        try
        {
            var file = Path.Combine(dir.FullName, "key");
            await TestProcess.CheckAsync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", file, .. extra]);
            return await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string RandomToken(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
    }

    [Fact]
    public async Task Finds_a_planted_openssh_private_key_and_names_the_file()
    {
        var key = await KeyAsync("ed25519");
        Plant("/root/.ssh/id_ed25519", key);

        var findings = SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken);

        var finding = findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("/root/.ssh/id_ed25519");
        finding.Kind.ShouldBe("private-key");
        finding.Detail.ShouldContain("OPENSSH PRIVATE KEY");
        finding.Detail.ShouldNotContain(key.Split('\n')[1]);
    }

    [Fact]
    public async Task Finds_a_pem_rsa_key()
    {
        Plant("/etc/foo/id_rsa", await KeyAsync("rsa", "-b", "1024", "-m", "PEM"));

        var finding = SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken).ShouldHaveSingleItem();

        finding.Path.ShouldBe("/etc/foo/id_rsa");
        finding.Detail.ShouldContain("RSA PRIVATE KEY");
    }

    [Fact]
    public async Task Ssh_host_keys_are_findings_but_their_public_halves_are_not()
    {
        Plant("/etc/ssh/ssh_host_ed25519_key", await KeyAsync("ed25519"));
        Plant("/etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE root@build\n");

        var finding = SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken).ShouldHaveSingleItem();

        finding.Path.ShouldBe("/etc/ssh/ssh_host_ed25519_key");
        finding.Kind.ShouldBe("ssh-host-key");
    }

    [Fact]
    public void A_password_hash_in_shadow_names_the_user_and_not_the_hash()
    {
        var hash = "$6$" + RandomToken(16) + "$" + RandomToken(86);
        Plant("/etc/shadow", $"root:{hash}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsshd:!:19000::::::\nbob:!!:19000::::::\nalice::19000::::::\nlocked:!{hash}:19000::::::\n");

        var findings = SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken);

        findings.Count.ShouldBe(2);
        findings.ShouldAllBe(f => f.Path == "/etc/shadow" && f.Kind == "password-hash");
        findings[0].Detail.ShouldContain("'root'");
        findings[1].Detail.ShouldContain("'locked'");
        findings.ShouldAllBe(f => !f.Detail.Contains(hash));
    }

    [Fact]
    public void Finds_hcloud_aws_and_github_tokens()
    {
        Plant("/etc/default/app", $"HCLOUD_TOKEN={RandomToken(64)}\n");
        Plant("/root/.config/hcloud/cli.toml", $"active_context = \"prod\"\n[[contexts]]\n  name = \"prod\"\n  token = \"{RandomToken(64)}\"\n");
        Plant("/home/u/.aws/credentials", $"[default]\naws_access_key_id = AKIA{RandomToken(16).ToUpperInvariant()}\n");
        Plant("/opt/ci/env", $"GH=ghp_{RandomToken(36)}\n");

        var findings = SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken);

        findings.Select(f => f.Path).Order().ShouldBe(["/etc/default/app", "/home/u/.aws/credentials", "/opt/ci/env", "/root/.config/hcloud/cli.toml"]);
        findings.ShouldAllBe(f => f.Kind == "api-token");
    }

    [Fact]
    public void A_generic_api_key_is_found_outside_documentation_and_distribution_code_only()
    {
        var value = RandomToken(32) + "42";
        Plant("/etc/app/config.yaml", $"api_key: {value}\n");
        Plant("/usr/share/doc/app/README", $"api_key: {value}\n");
        // A docstring example in distribution code (oauthlib ships exactly this kind of line): not a finding.
        Plant("/usr/lib/python3/dist-packages/oauthlib/clients/base.py", "    token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token\n");
        // The strong rules still apply there.
        Plant("/usr/lib/app/leaked.env", $"GH=ghp_{RandomToken(36)}\n");

        var findings = SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken);
        findings.ShouldContain(f => f.Path == "/usr/lib/app/leaked.env");
        var finding = findings.Where(f => f.Path != "/usr/lib/app/leaked.env").ShouldHaveSingleItem();

        finding.Path.ShouldBe("/etc/app/config.yaml");
        finding.Detail.ShouldNotContain(value);
    }

    [Fact]
    public void Ordinary_config_files_and_code_that_mentions_keys_are_not_findings()
    {
        Plant("/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nHostKey /etc/ssh/ssh_host_ed25519_key\nPermitRootLogin prohibit-password\n");
        Plant("/usr/share/perl5/Parser.pm", "my $begin = '-----BEGIN RSA PRIVATE KEY-----';\nmy $token = SOME_CONSTANT_NAME_HERE;\n");
        Plant("/etc/shadow", "root:*:19000:0:99999:7:::\nsshd:!:19000::::::\nnobody:!*:19000::::::\n");
        Plant("/etc/gshadow", "root:*::\nadm:!::\n");
        Plant("/etc/app.conf", "secret_file = /etc/app/secret-key-file-path\ntoken: ${TOKEN_FROM_ENVIRONMENT_VAR}\napi_key = AKIAIOSFODNN7EXAMPLE\n");
        Plant("/etc/ssl/certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n");

        SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken).ShouldBeEmpty();
    }

    [Fact]
    public async Task Symlinks_pseudo_file_systems_and_binaries_are_skipped()
    {
        var key = await KeyAsync("ed25519");
        var outside = Directory.CreateTempSubdirectory("drover-scan-outside-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(outside.FullName, "id"), key, TestContext.Current.CancellationToken);
            Directory.CreateDirectory(Path.Combine(_root.FullName, "etc"));
            File.CreateSymbolicLink(Path.Combine(_root.FullName, "etc", "linked"), Path.Combine(outside.FullName, "id"));
            Directory.CreateSymbolicLink(Path.Combine(_root.FullName, "linkdir"), outside.FullName);
            Plant("/proc/1/environ", key);
            var binary = Path.Combine(_root.FullName, "usr", "bin", "tool");
            Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
            await File.WriteAllBytesAsync(binary, [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, 0, .. System.Text.Encoding.ASCII.GetBytes(key)], TestContext.Current.CancellationToken);

            SecretScanner.ScanDirectory(_root.FullName, TestContext.Current.CancellationToken).ShouldBeEmpty();
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public void Upload_gate_refuses_without_manifest_with_findings_or_unscanned_and_allows_when_told()
    {
        var image = Plant("/out/web1.raw", "raw");
        var manifest = Path.Combine(_root.FullName, "out", "web1.manifest.json");

        UploadScanGate.Check(image, null, allowUnscanned: false).Refusal.ShouldNotBeNull().ShouldContain("not scanned");
        UploadScanGate.Check(image, null, allowUnscanned: true).Refusal.ShouldBeNull();

        WriteManifest(manifest, new Build.ImageScan(true, [new Build.ScanFinding("/etc/foo/id_rsa", "private-key", "RSA PRIVATE KEY (line 1)")]));
        UploadScanGate.Check(image, null, allowUnscanned: false).Refusal.ShouldNotBeNull().ShouldContain("/etc/foo/id_rsa");

        WriteManifest(manifest, new Build.ImageScan(false, [], "partition 1 (btrfs)"));
        UploadScanGate.Check(image, null, allowUnscanned: false).Refusal.ShouldNotBeNull().ShouldContain("btrfs");

        WriteManifest(manifest, new Build.ImageScan(true, []));
        var ok = UploadScanGate.Check(image, null, allowUnscanned: false);
        ok.Refusal.ShouldBeNull();
        ok.Manifest!.Sha256.ShouldBe(new string('a', 64));
        UploadScanGate.Check(image, null, allowUnscanned: false, expectedSha256: new string('b', 64)).Refusal.ShouldNotBeNull().ShouldContain("differs");
        UploadScanGate.Check(image + ".zst", null, allowUnscanned: false).Refusal.ShouldBeNull(); // missing file: the uploader says so
    }

    private static void WriteManifest(string path, Build.ImageScan scan) => new Build.ImageManifest
    {
        Builder = "debian",
        Architecture = "x86",
        Path = path,
        Sha256 = new string('a', 64),
        Size = 3,
        Labels = new Dictionary<string, string> { ["os"] = "debian" },
        Description = "test",
        Created = DateTimeOffset.UnixEpoch,
        Scan = scan,
    }.Write(path);
}
