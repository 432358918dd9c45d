using System.Text.Json;
using Drover.LocalCloud.Proxmox;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// <c>drover proxmox</c> against a Proxmox VE over https on 127.0.0.1 (the local one of a test cloud, reached through
/// PROXMOX_ENDPOINT as a real one would be): template, reuse, listing, and the refusals a wrong token or a wrong
/// certificate get, without the secret in any output.
/// </summary>
public sealed class ProxmoxCliTests : IAsyncLifetime
{
    private TestLocalCloud _cloud = null!;
    private readonly CliRunner _cli = new();
    private string _image = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartOnLoopbackAsync(TestLocalCloud.DefaultOptions() with { StateDirectory = Path.Combine(_cli.Home, "cloud-state") });
        var pve = _cloud.Proxmox;
        _cli.Environment["PROXMOX_ENDPOINT"] = pve.Endpoint;
        _cli.Environment["PROXMOX_TOKEN"] = $"{PveCredentials.TokenId}={pve.Credentials.TokenSecret}";
        _cli.Environment["PROXMOX_FINGERPRINT"] = pve.Credentials.Fingerprint;
        _image = Path.Combine(_cli.Home, "disk.raw");
        var bytes = new byte[1 << 20];
        bytes[0] = 0xEB;
        await File.WriteAllBytesAsync(_image, bytes, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _cli.Dispose();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task Template_makes_a_template_once_and_vms_lists_it()
    {
        var first = await _cli.RunAsync("proxmox", "template", "--image-path", _image, "--allow-unscanned", "--vmid", "9000", "-o", "json");
        first.ExitCode.ShouldBe(0, first.ToString());
        using (var json = JsonDocument.Parse(first.Stdout))
        {
            json.RootElement.GetProperty("vmid").GetInt32().ShouldBe(9000);
            json.RootElement.GetProperty("reused").GetBoolean().ShouldBeFalse();
            json.RootElement.GetProperty("uploaded").GetBoolean().ShouldBeTrue();
        }
        first.Stderr.ShouldContain("converting VM 9000 to a template");

        var again = await _cli.RunAsync("proxmox", "template", "--image-path", _image, "--allow-unscanned");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain("existed (same digest)");

        var vms = await _cli.RunAsync("proxmox", "vms");
        vms.ExitCode.ShouldBe(0, vms.ToString());
        var row = vms.Stdout.Split('\n').Single(l => l.StartsWith("9000 ", StringComparison.Ordinal));
        row.ShouldContain("drover-disk");
        row.ShouldContain("yes");
        row.ShouldContain("drover-digest-");
    }

    [Fact]
    public async Task An_unscanned_image_a_wrong_token_and_a_wrong_certificate_are_refused_without_showing_the_secret()
    {
        var unscanned = await _cli.RunAsync("proxmox", "template", "--image-path", _image);
        unscanned.ExitCode.ShouldNotBe(0);
        unscanned.Stderr.ShouldContain("is not scanned");

        const string Bad = "11111111-2222-3333-4444-555555555555";
        _cli.Environment["PROXMOX_TOKEN"] = $"{PveCredentials.TokenId}={Bad}";
        var token = await _cli.RunAsync("proxmox", "vms");
        token.ExitCode.ShouldNotBe(0);
        token.Stderr.ShouldContain("401");
        (token.Stdout + token.Stderr).ShouldNotContain(Bad);

        _cli.Environment["PROXMOX_TOKEN"] = $"{PveCredentials.TokenId}={_cloud.Proxmox.Credentials.TokenSecret}";
        _cli.Environment["PROXMOX_FINGERPRINT"] = string.Join(':', Enumerable.Repeat("AB", 32));
        var pin = await _cli.RunAsync("proxmox", "vms");
        pin.ExitCode.ShouldNotBe(0);
        pin.Stderr.ShouldContain(_cloud.Proxmox.Credentials.Fingerprint);
        (pin.Stdout + pin.Stderr).ShouldNotContain(_cloud.Proxmox.Credentials.TokenSecret);

        _cli.Environment["PROXMOX_ENDPOINT"] = _cloud.Proxmox.Endpoint!.Replace("https://", "http://", StringComparison.Ordinal);
        var plain = await _cli.RunAsync("proxmox", "vms");
        plain.ExitCode.ShouldBe(2, plain.ToString());
        plain.Stderr.ShouldContain("plain http");
    }
}
