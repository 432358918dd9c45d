using System.Text.RegularExpressions;

namespace Drover.Fleet.Config;

/// <summary>
/// What <c>drover init --nixos</c> writes: the example NixOS fleet of the repository (<c>examples/nixos-fleet</c>: a flake
/// with hosts web1 (x86) and web2 (arm) built on Drover's flake, whose images <c>drover image build --builder nix</c>
/// builds) with the Drover flake reference filled in, and a drover.yaml whose hosts converge from that flake.
/// </summary>
public static partial class NixosStarter
{
    /// <summary>The files of the example flake, by their path relative to the fleet's directory.</summary>
    public static IReadOnlyList<string> FlakeFiles { get; } = ["flake.nix", "hosts/web1.nix", "hosts/web2.nix", "agent/README.md"];

    /// <summary>The starter flake's files with <c>inputs.drover.url</c> set to <paramref name="droverFlake"/>.</summary>
    public static IReadOnlyDictionary<string, string> Files(string droverFlake)
    {
        if (string.IsNullOrWhiteSpace(droverFlake) || droverFlake.Any(char.IsWhiteSpace) || droverFlake.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{droverFlake}' is not a flake reference (e.g. github:OWNER/drover or path:/src/drover)", nameof(droverFlake));
        }
        var files = FlakeFiles.ToDictionary(f => f, Read, StringComparer.Ordinal);
        var flake = files["flake.nix"];
        var replaced = DroverUrl().Replace(flake, $"drover.url = \"{droverFlake}\";", 1);
        files["flake.nix"] = replaced != flake ? replaced
            : throw new InvalidOperationException("the embedded example flake has no drover.url line");
        return files;
    }

    /// <summary>Where the servers fetch the fleet's flake when <c>--flake-ref</c> is not given: to be replaced by the operator.</summary>
    public const string PlaceholderFlakeReference = "github:your-org/nixos-fleet";

    /// <summary>The fleet file for the starter flake: web1 on a cx23, web2 on a cax11, images picked by label.</summary>
    public static string FleetYaml(string flakeReference) => $$"""
        # drover.yaml: a NixOS fleet. Each host is nixosConfigurations.<host> of the flake in this directory.
        #
        #   drover image build --builder nix --host web1 --output-dir out   # packages.x86_64-linux.web1-image
        #   drover image upload out/web1.raw --labels role=web                # a snapshot, labelled
        #   drover bootstrap --plan && drover bootstrap                        # servers from those snapshots
        #   drover server update apply --host web1                             # nixos-rebuild switch over SSH
        #
        # At first boot drover-agent runs 'nixos-rebuild switch --flake <flake>#<host>' with the
        # flake below, so the servers must be able to fetch it (a git forge, not a local path).
        fleet: nixos-fleet

        defaults:
          location: fsn1
          ssh_keys:
            - name: drover-fleet
              public_key_file: .drover/id_ed25519.pub
          identity_file: .drover/id_ed25519
          flake: {{flakeReference}}
          # --impure lets the configuration read /etc/hcloud-metadata.json (config.hcloud.*).
          impure: true

        # Each host boots the newest snapshot of its image ('drover image build' labels it os=nixos,
        # arch=..., and role=<the host's role> with --host); 'drover host set web1 --image ID' pins one.
        hosts:
          web1:
            role: web
            image_selector: "os=nixos,role=web"
            architecture: x86
            server_type: cx23           # x86: the flake builds web1 for x86_64-linux
          web2:
            role: web
            image_selector: "os=nixos,role=web"
            architecture: arm
            server_type: cax11          # arm: the flake builds web2 for aarch64-linux

        """;

    private static string Read(string relative)
    {
        var name = "nixos-fleet/" + relative;
        using var stream = typeof(NixosStarter).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"drover\.url = ""[^""]*"";[^\n]*")]
    private static partial Regex DroverUrl();
}
