using Shouldly;
using Xunit;

namespace Drover.CloudInit.Tests;

public class PlaceholderTests
{
    private static string RenderOne(string text, UserDataInput? input = null, string name = "t.yaml")
    {
        input = (input ?? Examples.Full()) with { Templates = [new UserDataTemplate(name, text)] };
        return UserDataRenderer.Render(input).Content;
    }

    [Theory]
    [InlineData("HOSTNAME", "web1")]
    [InlineData("DOMAIN", "fleet.example")]
    [InlineData("ADMIN_USER", "ops")]
    [InlineData("FLAKE_REF", "git+https://git.example/fleet#web1")]
    [InlineData("NETWORK_INTERFACE", "ens18")]
    [InlineData("STATIC_IP", "10.0.1.10")]
    [InlineData("CIDR", "24")]
    [InlineData("GATEWAY", "10.0.1.1")]
    [InlineData("SSH_AUTHORIZED_KEYS", Examples.AdminKey + ", " + Examples.CiKey)]
    [InlineData("DNS_SERVERS", "10.0.1.2, 1.1.1.1")]
    public void Each_built_in_placeholder_substitutes_inline(string name, string expected)
    {
        // Arrange
        var text = $"#!/bin/sh\necho '${{{name}}}' done\n";

        // Act
        var content = RenderOne(text);

        // Assert
        content.ShouldBe($"#!/bin/sh\necho '{expected}' done\n");
    }

    public static TheoryData<string, string> ListPlaceholders => new()
    {
        // key: ${X} at the top level
        {
            "#cloud-config\nssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}\n",
            $"#cloud-config\nssh_authorized_keys:\n  - {Examples.AdminKey}\n  - \"{Examples.CiKey}\"\n"
        },
        // key: ${X} deep inside users, with a trailing comment kept on the key line
        {
            "#cloud-config\nusers:\n  - name: ops\n    ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS} # from the fleet\n",
            $"#cloud-config\nusers:\n  - name: ops\n    ssh_authorized_keys: # from the fleet\n      - {Examples.AdminKey}\n      - \"{Examples.CiKey}\"\n"
        },
        // the key on the list item's dash line
        {
            "#cloud-config\nusers:\n  - ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}\n    name: ops\n",
            $"#cloud-config\nusers:\n  - ssh_authorized_keys:\n      - {Examples.AdminKey}\n      - \"{Examples.CiKey}\"\n    name: ops\n"
        },
        // a list item: the items are spliced into the enclosing list
        {
            "#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAfirst first@host\n  - ${SSH_AUTHORIZED_KEYS}\n",
            $"#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAfirst first@host\n  - {Examples.AdminKey}\n  - \"{Examples.CiKey}\"\n"
        },
        // alone on a line, six deep
        {
            "#cloud-config\nnetwork:\n  ethernets:\n    ens18:\n      nameservers:\n        addresses:\n          ${DNS_SERVERS}\n",
            "#cloud-config\nnetwork:\n  ethernets:\n    ens18:\n      nameservers:\n        addresses:\n          - \"10.0.1.2\"\n          - \"1.1.1.1\"\n"
        },
        // CRLF line endings are kept
        {
            "#cloud-config\r\nusers:\r\n  - name: ops\r\n    ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}\r\n",
            $"#cloud-config\r\nusers:\r\n  - name: ops\r\n    ssh_authorized_keys:\r\n      - {Examples.AdminKey}\r\n      - \"{Examples.CiKey}\"\r\n"
        },
    };

    [Theory]
    [MemberData(nameof(ListPlaceholders))]
    public void List_placeholder_as_a_whole_value_becomes_a_block_list_indented_where_it_stands(string template, string expected)
    {
        // Act
        var content = RenderOne(template);

        // Assert
        content.ShouldBe(expected);
        Yaml.Root(content).ShouldNotBeNull();
    }

    [Fact]
    public void Deeply_nested_list_reads_back_as_the_keys()
    {
        // Arrange
        var template = "#cloud-config\nusers:\n  - name: ${ADMIN_USER}\n    ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}\n  - name: other\n";

        // Act
        var root = Yaml.Root(RenderOne(template));

        // Assert
        root.Items("users", 0, "ssh_authorized_keys").ShouldBe([Examples.AdminKey, Examples.CiKey]);
        root.Text("users", 1, "name").ShouldBe("other");
    }

    [Theory]
    [InlineData("#cloud-config\nresolv_conf:\n  nameservers: [${DNS_SERVERS}]\n", "  nameservers: [10.0.1.2, 1.1.1.1]")]
    [InlineData("#cloud-config\nfinal_message: \"dns ${DNS_SERVERS} ok\"\n", "final_message: \"dns 10.0.1.2, 1.1.1.1 ok\"")]
    [InlineData("#cloud-config\nbootcmd:\n  - echo ${DNS_SERVERS} > /run/dns\n", "  - echo 10.0.1.2, 1.1.1.1 > /run/dns")]
    public void List_placeholder_inside_other_text_is_joined_with_comma_space(string template, string expectedLine)
    {
        // Act
        var content = RenderOne(template);

        // Assert
        content.Split('\n').ShouldContain(expectedLine);
    }

    [Theory]
    [InlineData("#!/bin/sh\necho $${HOSTNAME}\n", "#!/bin/sh\necho ${HOSTNAME}\n")]
    [InlineData("#!/bin/sh\necho $${NOT_A_PLACEHOLDER:-x}\n", "#!/bin/sh\necho ${NOT_A_PLACEHOLDER:-x}\n")]
    [InlineData("#!/bin/sh\necho $HOME $1 $$ ${HOSTNAME}\n", "#!/bin/sh\necho $HOME $1 $$ web1\n")]
    [InlineData("#!/bin/sh\necho $$${HOSTNAME}\n", "#!/bin/sh\necho $${HOSTNAME}\n")]
    public void Escapes_and_plain_dollar_variables(string template, string expected)
    {
        RenderOne(template).ShouldBe(expected);
    }

    [Fact]
    public void Unknown_placeholder_names_it_with_source_line_and_column_and_the_known_ones()
    {
        // Arrange
        var template = "#cloud-config\nhostname: ${HOSTNAME}\nfqdn: x.${HOSTNAM}\n";

        // Act
        var error = Should.Throw<UserDataException>(() => RenderOne(template, name: "web.yaml"));

        // Assert
        error.Message.ShouldStartWith("web.yaml:3:9: unknown placeholder ${HOSTNAM}");
        error.Message.ShouldContain("${HOSTNAME}, ${DOMAIN}, ${ADMIN_USER}");
        (error.SourceName, error.Line, error.Column).ShouldBe(("web.yaml", 3, 9));
    }

    [Fact]
    public void Shell_default_syntax_needs_the_escape()
    {
        var error = Should.Throw<UserDataException>(() => RenderOne("#!/bin/sh\necho ${X:-1}\n", name: "run.sh"));

        error.Message.ShouldStartWith("run.sh:2:6: unknown placeholder ${X:-1}");
        error.Message.ShouldContain("$${X:-1}");
    }

    [Fact]
    public void Unterminated_placeholder_is_an_error()
    {
        var error = Should.Throw<UserDataException>(() => RenderOne("#!/bin/sh\necho ${HOSTNAME\n", name: "run.sh"));

        error.Message.ShouldStartWith("run.sh:2:6: unterminated placeholder");
    }

    [Theory]
    [InlineData("STATIC_IP", "no static network is set")]
    [InlineData("DNS_SERVERS", "no static network is set")]
    [InlineData("FLAKE_REF", "no flake reference is set")]
    [InlineData("DOMAIN", "no domain is set")]
    [InlineData("ADMIN_USER", "no admin user is set")]
    [InlineData("SSH_AUTHORIZED_KEYS", "no SSH authorized keys are set")]
    public void Placeholder_without_a_value_is_an_error_naming_it(string name, string reason)
    {
        // Arrange
        var input = new UserDataInput { Hostname = "web1" };

        // Act
        var error = Should.Throw<UserDataException>(() => RenderOne($"#cloud-config\nbootcmd:\n  - echo ${{{name}}}\n", input, "bare.yaml"));

        // Assert
        error.Message.ShouldBe($"bare.yaml:3:10: placeholder ${{{name}}} has no value: {reason}");
    }

    [Fact]
    public void Gateway_missing_from_a_set_network_is_named()
    {
        var input = Examples.Full() with { Network = Examples.Network with { Gateway = null } };

        var error = Should.Throw<UserDataException>(() => RenderOne("#!/bin/sh\nip route add default via ${GATEWAY}\n", input));

        error.Message.ShouldContain("${GATEWAY} has no value: the static network has no gateway");
    }

    [Fact]
    public void Comment_lines_keep_placeholders_without_values_and_join_lists()
    {
        // Arrange
        var template = "#cloud-config\nhostname: ${HOSTNAME}\n# ip: ${STATIC_IP}/${CIDR}\n#   keys: ${SSH_AUTHORIZED_KEYS}\n";
        var input = new UserDataInput { Hostname = "web1", SshAuthorizedKeys = ["k1", "k2"] };

        // Act
        var content = RenderOne(template, input);

        // Assert
        content.ShouldBe("#cloud-config\nhostname: web1\n# ip: ${STATIC_IP}/${CIDR}\n#   keys: k1, k2\n");
    }

    [Fact]
    public void Variables_add_placeholders()
    {
        var input = Examples.Full() with { Variables = new Dictionary<string, string> { ["ROLE"] = "web", ["region_1"] = "fsn1" } };

        RenderOne("#!/bin/sh\necho ${ROLE} ${region_1} ${HOSTNAME}\n", input).ShouldBe("#!/bin/sh\necho web fsn1 web1\n");
    }

    [Theory]
    [InlineData("HOSTNAME", "would override the built-in placeholder ${HOSTNAME}")]
    [InlineData("DNS_SERVERS", "would override the built-in placeholder ${DNS_SERVERS}")]
    [InlineData("1ST", "is not a valid placeholder name")]
    [InlineData("A-B", "is not a valid placeholder name")]
    public void Variables_may_not_override_built_ins_or_have_bad_names(string name, string message)
    {
        var input = Examples.Full() with { Variables = new Dictionary<string, string> { [name] = "x" } };

        Should.Throw<UserDataException>(() => RenderOne("#!/bin/sh\n", input)).Message.ShouldContain(message);
    }

    [Fact]
    public void Cloud_config_that_is_not_yaml_after_substitution_names_template_and_position()
    {
        // Arrange
        var input = Examples.Full() with { Variables = new Dictionary<string, string> { ["ROLE"] = "web: yes" } };

        // Act
        var error = Should.Throw<UserDataException>(() => RenderOne("#cloud-config\nhostname: ${HOSTNAME}\nrole: ${ROLE}\n", input, "role.yaml"));

        // Assert
        error.SourceName.ShouldBe("role.yaml");
        error.Line.ShouldBe(3);
        error.Message.ShouldStartWith("role.yaml:3:");
        error.Message.ShouldContain("not valid YAML");
    }

    [Theory]
    [InlineData("#cloud-config\na: 1\n", ContentTypes.CloudConfig)]
    [InlineData("#!/bin/bash\necho\n", ContentTypes.ShellScript)]
    [InlineData("#cloud-boothook\necho\n", ContentTypes.CloudBoothook)]
    [InlineData("#include\nhttps://config.example/a.yaml\n", ContentTypes.IncludeUrl)]
    public void Content_type_comes_from_the_first_line(string template, string contentType)
    {
        var input = Examples.Full() with { Templates = [new UserDataTemplate("p", template)] };

        UserDataRenderer.Render(input).Parts.Single().ContentType.ShouldBe(contentType);
    }

    [Theory]
    [InlineData("hostname: web1\n")]
    [InlineData("#cloud-configuration\n")]
    [InlineData("")]
    public void Unknown_user_data_type_is_an_error_naming_the_template(string template)
    {
        var input = Examples.Full() with { Templates = [new UserDataTemplate("plain.txt", template)] };

        Should.Throw<UserDataException>(() => UserDataRenderer.Render(input)).Message.ShouldStartWith("plain.txt:1:1: unknown user-data type");
    }
}
