using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Cli.Output;
using Drover.Fleet.Config;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary><c>drover host list|show|set</c>: the hosts of the fleet file, as the file declares them (no API calls).</summary>
internal static class HostCommands
{
    private static readonly JsonSerializerOptions _indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(CliEnv env)
    {
        var host = new Command("host", """
            The hosts of the fleet file (drover.yaml, or --config FILE) with their effective settings: the host's own
            values over the defaults. These commands read and edit the file only; they make no API calls.
            """)
        {
            FleetCommon.ConfigOption,
        };
        host.Subcommands.Add(List(env));
        host.Subcommands.Add(Show(env));
        host.Subcommands.Add(Set(env));
        return host;
    }

    private static Command List(CliEnv env)
    {
        var output = Common.Output();
        var command = new Command("list", "List the fleet file's hosts: name, role, image, server type, location") { output };
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                var array = new JsonArray([.. fleet.Hosts.Select(h => (JsonNode)HostJson(fleet, h))]);
                await env.IO.Out.WriteLineAsync(array.ToJsonString(_indented));
                return Common.Ok;
            }
            var table = new Table("NAME", "ROLE", "IMAGE", "SERVER TYPE", "LOCATION", "LABELS");
            foreach (var h in fleet.Hosts)
            {
                table.Add(h.Name, h.Role, ImageText(fleet, h.Image), h.ServerType, h.Location, Common.Labels(h.Labels));
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        return command;
    }

    private static Command Show(CliEnv env)
    {
        var output = Common.Output();
        var name = new Argument<string>("HOST") { Description = "The host's name (its key under hosts:)" };
        var command = new Command("show", "Show all effective settings of one host: image, type, location, labels, user-data, converge, secrets") { name, output };
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            var h = FindHost(env, fleet, parse.GetValue(name)!);
            if (h is null)
            {
                return Common.Failure;
            }
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await env.IO.Out.WriteLineAsync(HostJson(fleet, h).ToJsonString(_indented));
                return Common.Ok;
            }
            static string? List(IEnumerable<string> items) => string.Join(", ", items) is { Length: > 0 } s ? s : null;
            var rows = new (string, string?)[]
            {
                ("Name", h.Name),
                ("Role", h.Role),
                ("Image", ImageText(fleet, h.Image) + (h.Image.SourcePath != $"hosts.{h.Name}" ? $" ({h.Image.SourcePath})" : "")),
                ("Server type", h.ServerType),
                ("Location", h.Location),
                ("Labels", List(h.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))),
                ("Networks", List(h.Networks)),
                ("Firewalls", List(h.Firewalls)),
                ("Volumes", List(h.Volumes)),
                ("SSH keys", List(fleet.Defaults.SshKeys.Select(k => k.Name))),
                ("Templates", List(h.UserData.Templates)),
                ("Variables", List(h.UserData.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"))),
                ("Network", h.Network is { } n ? $"{n.Interface} {n.Address}" + (n.Gateway is null ? "" : $" via {n.Gateway}") + (n.Dns.Count > 0 ? $", dns {string.Join(" ", n.Dns)}" : "") : null),
                ("Admin user", h.AdminUser),
                ("Domain", h.Domain),
                ("Flake", h.Flake),
                ("Converge", h.EffectiveConverge),
                ("Target host", h.TargetHost),
                ("Secrets path", h.SecretsPath),
                ("Identity file", fleet.Defaults.IdentityFile),
                ("Defined at", fleet.Sources.Find($"hosts.{h.Name}")?.ToString()),
            };
            foreach (var (label, value) in rows)
            {
                await env.IO.Out.WriteLineAsync($"{label + ":",-15}{(string.IsNullOrEmpty(value) ? "-" : value)}");
            }
            return Common.Ok;
        });
        return command;
    }

    private static Command Set(CliEnv env)
    {
        var name = new Argument<string>("HOST") { Description = "The host's name; a host the file does not have yet is added (it needs --image or --image-selector)" };
        var image = new Option<long?>("--image") { Description = "Pin the host to this image ID (removes image_selector and architecture)", HelpName = "ID" };
        var selector = new Option<string?>("--image-selector") { Description = "Use the newest image matching this label selector (removes image)", HelpName = "SELECTOR" };
        var arch = new Option<string?>("--architecture") { Description = "With an image selector: the image's architecture, x86 or arm", HelpName = "ARCH" };
        arch.AcceptOnlyFromAmong(FleetKeys.Architectures.ToArray());
        var type = new Option<string?>("--server-type") { Description = "The server type, e.g. cx23 or cax11", HelpName = "TYPE" };
        var location = new Option<string?>("--location") { Description = "The location, e.g. fsn1", HelpName = "LOCATION" };
        var role = new Option<string?>("--role") { Description = "The host's role", HelpName = "ROLE" };
        var labels = new Option<string[]>("--label") { Description = "Set a label (key=value) or remove one (key-); repeatable", HelpName = "KEY=VALUE|KEY-" };
        var command = new Command("set", """
            Change one host in the fleet file. Only the values named change: comments, order, blank lines and quoting of
            everything else stay as they are. The file is checked before it is written (atomically, keeping its mode);
            an edit that would make it invalid is refused and the file is left alone.

            Examples:
              drover host set web1 --image 123456
              drover host set worker1 --image-selector 'os=talos,role=worker' --architecture arm --server-type cax21
              drover host set web1 --label tier=edge --label old-
            """)
        { name, image, selector, arch, type, location, role, labels };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var host = parse.GetValue(name)!;
            var changes = new HostChanges
            {
                ImageId = parse.GetValue(image),
                ImageSelector = parse.GetValue(selector),
                Architecture = parse.GetValue(arch),
                ServerType = parse.GetValue(type),
                Location = parse.GetValue(location),
                Role = parse.GetValue(role),
                Labels = ParseLabels(parse.GetValue(labels) ?? []),
            };
            if (changes.ImageId is not null && changes.ImageSelector is not null)
            {
                throw new UsageException("give --image or --image-selector, not both");
            }
            if (changes.ImageId is <= 0)
            {
                throw new UsageException("--image: an image ID is a positive number");
            }
            if (changes is { ImageId: null, ImageSelector: null, Architecture: null, ServerType: null, Location: null, Role: null, Labels.Count: 0 })
            {
                throw new UsageException("nothing to change: give --image, --image-selector, --architecture, --server-type, --location, --role or --label");
            }
            if (!FleetLoader.IsValidHostName(host))
            {
                throw new UsageException($"'{host}' is not a valid host name (lowercase letters, digits and '-', at most 63 characters)");
            }
            var fleet = FleetCommon.Load(parse, env);
            if (fleet.FindHost(host) is null && changes.ImageId is null && changes.ImageSelector is null)
            {
                throw new UsageException($"{fleet.Path} has no host '{host}'; to add it, give --image ID or --image-selector SELECTOR");
            }
            var edit = FleetFileWriter.SetHost(fleet.Path, host, changes);
            if (!edit.Changed)
            {
                await env.IO.Error.WriteLineAsync($"{fleet.Path}: host {host} already has these settings");
                return Common.Ok;
            }
            await env.IO.Out.WriteLineAsync($"{fleet.Path}: host {host}: image {ImageText(fleet, edit.Host.Image)}, server type {edit.Host.ServerType}, location {edit.Host.Location}");
            return Common.Ok;
        });
        return command;
    }

    private static HostSpec? FindHost(CliEnv env, FleetFile fleet, string name)
    {
        if (fleet.FindHost(name) is { } host)
        {
            return host;
        }
        var known = fleet.Hosts.Count == 0 ? "it has none" : "known hosts: " + string.Join(", ", fleet.Hosts.Select(h => h.Name));
        env.IO.Error.WriteLine($"error: {fleet.Path} has no host '{name}' ({known})");
        return null;
    }

    private static Dictionary<string, string?> ParseLabels(IEnumerable<string> values)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 && value.EndsWith('-') && value.Length > 1)
            {
                result[value[..^1]] = null;
                continue;
            }
            if (eq < 0)
            {
                throw new UsageException($"--label: '{value}' is neither KEY=VALUE nor KEY- (to remove)");
            }
            var (k, v) = (value[..eq], value[(eq + 1)..]);
            if (LabelValidation.KeyProblem(k) is { } kp)
            {
                throw new UsageException($"--label: '{value}': {kp}");
            }
            if (LabelValidation.ValueProblem(v) is { } vp)
            {
                throw new UsageException($"--label: '{value}': {vp}");
            }
            if (k.StartsWith("drover/", StringComparison.Ordinal))
            {
                throw new UsageException($"--label: '{value}': keys starting with 'drover/' are reserved for labels Drover sets itself");
            }
            result[k] = v;
        }
        return result;
    }

    private static string ImageText(FleetFile fleet, ImageSpec image)
    {
        var text = image.Kind switch
        {
            ImageKind.Pinned => image.Id!.Value.ToString(CultureInfo.InvariantCulture),
            ImageKind.Selector => "selector " + image.Selector,
            _ => image.ImageName ?? "",
        };
        var arch = image.Architecture is { } a ? $" ({a})" : "";
        return fleet.FindImage(image.Name) is not null ? $"{image.Name}: {text}{arch}" : text + arch;
    }

    private static JsonObject HostJson(FleetFile fleet, HostSpec h)
    {
        static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);
        static JsonObject Map(IReadOnlyDictionary<string, string> map)
            => new(map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var image = new JsonObject
        {
            ["kind"] = h.Image.Kind.ToString().ToLowerInvariant(),
            ["ref"] = fleet.FindImage(h.Image.Name) is not null ? h.Image.Name : null,
            ["id"] = h.Image.Id,
            ["selector"] = h.Image.Selector,
            ["name"] = h.Image.ImageName,
            ["architecture"] = h.Image.Architecture,
            ["expect_labels"] = Map(h.Image.ExpectLabels),
        };
        return new JsonObject
        {
            ["name"] = h.Name,
            ["role"] = h.Role,
            ["image"] = image,
            ["server_type"] = h.ServerType,
            ["location"] = h.Location,
            ["labels"] = Map(h.Labels),
            ["networks"] = Strings(h.Networks),
            ["firewalls"] = Strings(h.Firewalls),
            ["volumes"] = Strings(h.Volumes),
            ["user_data"] = new JsonObject { ["templates"] = Strings(h.UserData.Templates), ["variables"] = Map(h.UserData.Variables) },
            ["network"] = h.Network is { } n
                ? new JsonObject { ["interface"] = n.Interface, ["address"] = n.Address, ["gateway"] = n.Gateway, ["dns"] = Strings(n.Dns) }
                : null,
            ["admin_user"] = h.AdminUser,
            ["domain"] = h.Domain,
            ["flake"] = h.Flake,
            ["converge"] = h.EffectiveConverge,
            ["target_host"] = h.TargetHost,
            ["secrets_path"] = h.SecretsPath,
            ["source"] = fleet.Sources.Find($"hosts.{h.Name}")?.ToString(),
        };
    }
}
