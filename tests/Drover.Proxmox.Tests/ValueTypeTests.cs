using Drover.Proxmox.Contracts;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

/// <summary>Tokens, fingerprints, UPIDs, tags, SSH keys and ipconfig values.</summary>
public sealed class ValueTypeTests
{
    [Theory]
    [InlineData("root@pam!drover=00000000-1111-2222-3333-444444444444")]
    [InlineData("PVEAPIToken=root@pam!drover=00000000-1111-2222-3333-444444444444")]
    [InlineData("  root@pam!drover=00000000-1111-2222-3333-444444444444\n")]
    public void Api_token_parses_with_or_without_the_prefix(string text)
    {
        // Act
        var token = ProxmoxApiToken.Parse(text);

        // Assert
        (token.TokenId, token.User, token.Realm, token.TokenName).ShouldBe(("root@pam!drover", "root", "pam", "drover"));
        token.Secret.ShouldBe(TestClient.Secret);
        token.ToString().ShouldBe("root@pam!drover=<redacted>");
    }

    [Theory]
    [InlineData("root@pam=s3cr3t-value")]
    [InlineData("root!drover=s3cr3t-value")]
    [InlineData("root@pam!=s3cr3t-value")]
    [InlineData("root@pam!drover=")]
    [InlineData("no-equals-sign")]
    public void Api_token_of_the_wrong_form_is_refused_without_echoing_the_secret(string text)
    {
        // Act
        var error = Should.Throw<ProxmoxConfigurationException>(() => ProxmoxApiToken.Parse(text));

        // Assert
        error.Message.ShouldContain("USER@REALM!TOKENID");
        error.Message.ShouldNotContain("s3cr3t-value");
    }

    [Theory]
    [InlineData("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    [InlineData("ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    public void Fingerprint_parses_any_case_with_or_without_colons(string text)
    {
        // Act
        var fingerprint = CertificateFingerprint.Parse(text);

        // Assert
        fingerprint.ToString().ShouldBe("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
        fingerprint.ShouldBe(CertificateFingerprint.Parse(text.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("AB:CD")]
    [InlineData("zz")]
    [InlineData("")]
    public void Fingerprint_of_the_wrong_length_or_digits_is_refused(string text)
        => Should.Throw<ProxmoxConfigurationException>(() => CertificateFingerprint.Parse(text)).Message.ShouldContain("SHA-256");

    [Fact]
    public void Upid_parses_its_fields_and_prints_as_sent()
    {
        // Act
        var upid = Upid.Parse(Fixtures.CloneUpid);

        // Assert
        (upid.Node, upid.Pid, upid.ProcessStart, upid.Type, upid.Id, upid.User).ShouldBe(("pve", 0xA1B2C, 0x12D687L, "qmclone", "9000", "root@pam!drover"));
        upid.StartTime.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(0x6763F1A0));
        upid.ToString().ShouldBe(Fixtures.CloneUpid);
        Upid.TryParse("UPID:pve:000A1B2C:0012D687:6763F1A0:vzdump::root@pam:", out var empty).ShouldBeTrue();
        empty!.Id.ShouldBeEmpty();
    }

    [Fact]
    public void Upid_created_from_fields_is_formatted_as_Proxmox_does()
    {
        // Act
        var upid = Upid.Create("pve", 0xA1B2C, 0x12D687, DateTimeOffset.FromUnixTimeSeconds(0x6763F1A0), "qmclone", "9000", "root@pam!drover");

        // Assert
        upid.Value.ShouldBe(Fixtures.CloneUpid);
    }

    [Fact]
    public void Wire_records_serialize_with_proxmox_names_and_booleans_as_numbers()
    {
        // Arrange
        var response = new ProxmoxResponse<IReadOnlyList<VmSummary>> { Data = [new VmSummary { VmId = 9000, Status = "stopped", Template = true, MaxMem = 1024, Tags = "a;b" }] };

        // Act
        var json = System.Text.Json.JsonSerializer.Serialize(response, ProxmoxJsonContext.Default.ProxmoxResponseIReadOnlyListVmSummary);

        // Assert
        json.ShouldBe("""{"data":[{"vmid":9000,"status":"stopped","template":1,"tags":"a;b","maxmem":1024}]}""");
    }

    [Theory]
    [InlineData("UPID:pve:000A1B2C:0012D687:6763F1A0:qmclone:9000:root@pam")]
    [InlineData("pve:000A1B2C:0012D687:6763F1A0:qmclone:9000:root@pam:")]
    [InlineData("UPID:pve:XYZ:0012D687:6763F1A0:qmclone:9000:root@pam:")]
    public void Upid_of_the_wrong_form_is_refused(string text)
        => Should.Throw<FormatException>(() => Upid.Parse(text));

    [Fact]
    public void Tags_validate_parse_and_format_with_semicolons()
    {
        // Act / Assert
        ProxmoxTags.IsValid("drover-digest-0123456789abcdef").ShouldBeTrue();
        ProxmoxTags.IsValid("_x+y.z").ShouldBeTrue();
        ProxmoxTags.IsValid("-leading").ShouldBeFalse();
        ProxmoxTags.IsValid("has space").ShouldBeFalse();
        ProxmoxTags.IsValid("a/b").ShouldBeFalse();
        ProxmoxTags.Parse("a;b,c d").ShouldBe(["a", "b", "c", "d"]);
        ProxmoxTags.Parse(null).ShouldBeEmpty();
        ProxmoxTags.Format(["drover", "drover-digest-0123456789abcdef", "drover"]).ShouldBe("drover;drover-digest-0123456789abcdef");
        Should.Throw<ArgumentException>(() => ProxmoxTags.Format(["ok", "not ok"])).Message.ShouldContain("'not ok'");
    }

    [Fact]
    public void Ssh_keys_are_percent_encoded_to_the_urlencoded_charset_and_decode_back()
    {
        // Arrange
        string[] keys = ["ssh-ed25519 AAAAC3Nz+a/b= alice@laptop", "ssh-rsa AAAA~*'()!_.- bob"];

        // Act
        var encoded = ProxmoxSshKeys.Encode(keys);

        // Assert
        encoded.ShouldBe("ssh-ed25519%20AAAAC3Nz%2Ba%2Fb%3D%20alice%40laptop%0Assh-rsa%20AAAA~*'()!_.-%20bob");
        encoded.ShouldMatch(@"^[-%a-zA-Z0-9_.!~*'()]*$");
        ProxmoxSshKeys.Decode(encoded).ShouldBe(keys);
        ProxmoxSshKeys.Encode(["a%b\r\n", "", "c"]).ShouldBe("a%25b%0Ac");
    }

    [Fact]
    public void Ip_configs_format_in_proxmox_order_and_refuse_malformed_parts()
    {
        // Act / Assert
        IpConfig.Dhcp.Format().ShouldBe("ip=dhcp");
        IpConfig.Static("192.0.2.10/24", "192.0.2.1").Format().ShouldBe("ip=192.0.2.10/24,gw=192.0.2.1");
        new IpConfig { Ip6 = "2001:db8::10/64", Gateway6 = "2001:db8::1" }.Format().ShouldBe("ip6=2001:db8::10/64,gw6=2001:db8::1");
        IpConfig.Parse("gw=192.0.2.1,ip=192.0.2.10/24").ShouldBe(IpConfig.Static("192.0.2.10/24", "192.0.2.1"));
        Should.Throw<ArgumentException>(() => IpConfig.Static("192.0.2.10", "192.0.2.1").Format()).Message.ShouldContain("A.B.C.D/NN");
        Should.Throw<ArgumentException>(() => IpConfig.Static("192.0.2.10/33").Format());
        Should.Throw<ArgumentException>(() => (IpConfig.Dhcp with { Gateway = "192.0.2.1" }).Format()).Message.ShouldContain("needs a static ip");
        Should.Throw<ArgumentException>(() => new IpConfig().Format());
    }

    [Fact]
    public void Cicustom_formats_user_network_meta_vendor_and_refuses_non_volumes()
    {
        // Act / Assert
        new CloudInitCustom { Vendor = "local:snippets/v.yaml", User = "local:snippets/u.yaml" }.Format().ShouldBe("user=local:snippets/u.yaml,vendor=local:snippets/v.yaml");
        Should.Throw<ArgumentException>(() => new CloudInitCustom { User = "/etc/u.yaml" }.Format()).Message.ShouldContain("volume id");
        Should.Throw<ArgumentException>(() => new CloudInitCustom().Format());
    }
}
