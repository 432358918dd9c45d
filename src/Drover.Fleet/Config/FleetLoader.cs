using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Drover.Hcloud.Labels;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>
/// Reads <c>drover.yaml</c> into a <see cref="FleetFile"/>. Every problem is collected and thrown at once as a
/// <see cref="FleetConfigException"/>; each names the file, line, column and dotted field
/// (<c>drover.yaml:7:5: hosts.web1.server_tpye: unknown key (did you mean 'server_type'?)</c>).
/// </summary>
/// <remarks>
/// Positions in <see cref="FleetFile.Sources"/> are those of the value for scalar fields and of the key for mappings and
/// lists (<c>hosts.web1</c>, <c>hosts.web1.labels</c>); list items are recorded as <c>hosts.web1.networks[0]</c>.
/// </remarks>
public static partial class FleetLoader
{
    /// <summary>Where servers' secrets go when neither the host nor the defaults say.</summary>
    public const string DefaultSecretsPath = "/var/lib/drover/secrets";

    /// <summary>Reads and validates the fleet file at <paramref name="path"/> (named as given in messages).</summary>
    public static FleetFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FleetConfigException(new FleetDiagnostic(null, path, "the fleet file does not exist"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetConfigException(new FleetDiagnostic(null, path, "cannot read the fleet file: " + e.Message));
        }
        return Parse(text, path);
    }

    /// <summary>Validates fleet-file text; relative paths in it resolve against the directory of <paramref name="path"/>.</summary>
    public static FleetFile Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new Reader(path).Read(text);
    }

    /// <summary>
    /// The architecture (<c>x86</c> or <c>arm</c>) a Hetzner server-type family implies: <c>cax*</c> is arm; <c>cx*</c>,
    /// <c>cpx*</c> and <c>ccx*</c> are x86. Null for families this does not know.
    /// </summary>
    public static string? ServerTypeArchitecture(string serverType)
    {
        ArgumentNullException.ThrowIfNull(serverType);
        var t = serverType.Trim().ToLowerInvariant();
        if (t.StartsWith("cax", StringComparison.Ordinal))
        {
            return "arm";
        }
        return t.StartsWith("cx", StringComparison.Ordinal) || t.StartsWith("cpx", StringComparison.Ordinal) || t.StartsWith("ccx", StringComparison.Ordinal)
            ? "x86"
            : null;
    }

    /// <summary>Whether <paramref name="name"/> is a valid host name: an RFC 1123 label, lowercase, at most 63 characters.</summary>
    public static bool IsValidHostName(string name) => name.Length is > 0 and <= 63 && HostNamePattern().IsMatch(name);

    /// <summary>Whether <paramref name="line"/> looks like an OpenSSH public key (<c>ssh-ed25519 AAAA... comment</c>).</summary>
    public static bool IsOpenSshPublicKey(string line)
    {
        var m = PublicKeyPattern().Match(line.Trim());
        if (!m.Success)
        {
            return false;
        }
        var data = m.Groups[2].Value;
        var buffer = new byte[data.Length];
        return Convert.TryFromBase64String(data, buffer, out var written) && written > 4;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"^(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+([A-Za-z0-9+/]+={0,2})(\s.*)?$")]
    private static partial Regex PublicKeyPattern();

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="key"/>, if it is close enough to be a typo.</summary>
    internal static string? DidYouMean(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(key, c);
            if (d < bestDistance)
            {
                (best, bestDistance) = (c, d);
            }
        }
        return best is not null && bestDistance <= Math.Max(1, Math.Min(key.Length, best.Length) / 3) ? best : null;
    }

    /// <summary>Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one each.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }

    private sealed class Reader(string path)
    {
        private readonly string _baseDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        private readonly List<FleetDiagnostic> _diagnostics = [];
        private readonly Dictionary<string, SourceLocation> _sources = new(StringComparer.Ordinal);

        public FleetFile Read(string text)
        {
            var problems = new List<YamlProblem>();
            var root = YamlTree.Read(text, problems);
            foreach (var p in problems)
            {
                Error(p.Position, "(yaml)", p.Message);
            }
            if (root is null && problems.Count == 0 || root is YamlScalar { IsNull: true })
            {
                Error(new YamlPos(0, 1, 1), "(file)", $"the file is empty; it needs at least '{K.Fleet}:' and '{K.Hosts}:'");
            }
            if (root is null or YamlScalar { IsNull: true } || _diagnostics.Count > 0)
            {
                throw new FleetConfigException(_diagnostics);
            }
            if (root is not YamlMap map)
            {
                Error(root.Start, "(file)", $"expected a mapping with '{K.Fleet}:' and '{K.Hosts}:', got {root.Describe()}");
                throw new FleetConfigException(_diagnostics);
            }
            CheckKeys(map, "", K.Root);

            var name = String(map, K.Fleet, "");
            if (name is null && map[K.Fleet] is null)
            {
                Error(map.Start, K.Fleet, "missing: the fleet's name (the value of the drover/fleet label on its servers)");
            }
            else if (name is not null && (name.Length == 0 || LabelValidation.ValueProblem(name) is not null))
            {
                Error(map[K.Fleet]!.Start, K.Fleet, $"'{name}' is not a valid label value: " + (LabelValidation.ValueProblem(name) ?? "it must not be empty"));
            }

            var defaults = ReadDefaults(map);
            var images = ReadImages(map);
            var hosts = ReadHosts(map, defaults, images);

            if (_diagnostics.Count > 0)
            {
                throw new FleetConfigException([.. _diagnostics.OrderBy(d => d.Location?.Line ?? 0).ThenBy(d => d.Location?.Column ?? 0)]);
            }
            return new FleetFile
            {
                Path = path,
                Name = name!,
                Defaults = defaults,
                Images = images,
                Hosts = hosts,
                Sources = new SourceMap(_sources),
            };
        }

        private FleetDefaults ReadDefaults(YamlMap root)
        {
            var map = Map(root, K.Defaults, "");
            if (map is null)
            {
                return new FleetDefaults();
            }
            CheckKeys(map, K.Defaults, K.DefaultsKeys);
            var secrets = String(map, K.SecretsPath, K.Defaults);
            CheckAbsolute(map, K.SecretsPath, K.Defaults, secrets);
            return new FleetDefaults
            {
                Location = String(map, K.Location, K.Defaults),
                ServerType = String(map, K.ServerType, K.Defaults),
                SshKeys = ReadSshKeys(map),
                Labels = Labels(map, K.Defaults),
                AdminUser = String(map, K.AdminUser, K.Defaults),
                Domain = String(map, K.Domain, K.Defaults),
                Flake = String(map, K.Flake, K.Defaults),
                SecretsPath = secrets,
                IdentityFile = String(map, K.IdentityFile, K.Defaults),
            };
        }

        private List<SshKeySpec> ReadSshKeys(YamlMap defaults)
        {
            var result = new List<SshKeySpec>();
            var field = $"{K.Defaults}.{K.SshKeys}";
            var seq = Seq(defaults, K.SshKeys, K.Defaults);
            if (seq is null)
            {
                return result;
            }
            for (var i = 0; i < seq.Items.Count; i++)
            {
                var itemField = $"{field}[{i}]";
                if (seq.Items[i] is not YamlMap map)
                {
                    Error(seq.Items[i].Start, itemField, $"expected a mapping with '{K.Name}' and '{K.PublicKey}' or '{K.PublicKeyFile}', got {seq.Items[i].Describe()}");
                    continue;
                }
                _sources[itemField] = Loc(map.Start);
                CheckKeys(map, itemField, K.SshKeyKeys);
                var name = String(map, K.Name, itemField);
                var key = String(map, K.PublicKey, itemField);
                var file = String(map, K.PublicKeyFile, itemField);
                if (string.IsNullOrWhiteSpace(name))
                {
                    Error(map.Start, $"{itemField}.{K.Name}", "missing: the key's name in the cloud");
                }
                if ((key is null) == (file is null))
                {
                    Error(map.Start, itemField, $"set exactly one of '{K.PublicKey}' or '{K.PublicKeyFile}'");
                }
                else if (key is not null && !IsOpenSshPublicKey(key))
                {
                    Error(map[K.PublicKey]!.Start, $"{itemField}.{K.PublicKey}", "not an OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment')");
                }
                else if (file is not null)
                {
                    key = ReadPublicKeyFile(map[K.PublicKeyFile]!.Start, $"{itemField}.{K.PublicKeyFile}", file);
                    if (key is not null)
                    {
                        _sources[$"{itemField}.{K.PublicKey}"] = Loc(map[K.PublicKeyFile]!.Start);
                    }
                }
                result.Add(new SshKeySpec { Name = name ?? "", PublicKey = key?.Trim(), PublicKeyFile = file });
            }
            return result;
        }

        private string? ReadPublicKeyFile(YamlPos at, string field, string file)
        {
            var full = FleetPaths.Resolve(_baseDirectory, file);
            if (!File.Exists(full))
            {
                Error(at, field, $"file not found: {full}");
                return null;
            }
            string text;
            try
            {
                text = File.ReadAllText(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(at, field, $"cannot read {full}: {e.Message}");
                return null;
            }
            var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
            if (line is null || !IsOpenSshPublicKey(line))
            {
                Error(at, field, $"{full} does not hold an OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment'; is it the private key?)");
                return null;
            }
            return line;
        }

        private List<ImageSpec> ReadImages(YamlMap root)
        {
            var result = new List<ImageSpec>();
            var map = Map(root, K.Images, "");
            if (map is null)
            {
                return result;
            }
            foreach (var (key, value) in Unique(map, K.Images))
            {
                var field = $"{K.Images}.{key.Value}";
                _sources[field] = Loc(key.Start);
                if (key.Value.Length == 0)
                {
                    Error(key.Start, field, "an image needs a name");
                    continue;
                }
                if (ReadImage(key.Value, field, key, value) is { } spec)
                {
                    result.Add(spec);
                }
            }
            return result;
        }

        private ImageSpec? ReadImage(string name, string field, YamlScalar key, YamlNodeBase node)
        {
            if (node is not YamlMap map)
            {
                Error(node.Start, field, $"expected a mapping with one of '{K.Name}', '{K.Id}' or '{K.Selector}', got {node.Describe()}");
                return null;
            }
            CheckKeys(map, field, K.ImageKeys);
            var imageName = String(map, K.Name, field);
            var id = Long(map, K.Id, field);
            var selector = String(map, K.Selector, field);
            var architecture = Architecture(map, field);
            var labels = Labels(map, field);
            var kinds = new[] { K.Name, K.Id, K.Selector }.Count(k => map[k] is not null);
            if (kinds != 1)
            {
                Error(key.Start, field, $"set exactly one of '{K.Name}' (a system image), '{K.Id}' (a pinned image) or '{K.Selector}' (a label selector)");
                return null;
            }
            if (map[K.Labels] is not null && map[K.Id] is null)
            {
                Error(map.KeyNode(K.Labels)!.Start, $"{field}.{K.Labels}", $"labels an image must carry apply only to a pinned image ('{K.Id}')");
            }
            if (selector is not null)
            {
                CheckSelector(map[K.Selector]!.Start, $"{field}.{K.Selector}", selector);
            }
            if (imageName is { Length: 0 })
            {
                Error(map[K.Name]!.Start, $"{field}.{K.Name}", "must not be empty");
            }
            if (imageName is null && id is null && selector is null)
            {
                return null;
            }
            return new ImageSpec
            {
                Name = name,
                Kind = id is not null ? ImageKind.Pinned : selector is not null ? ImageKind.Selector : ImageKind.Named,
                Id = id,
                Selector = selector,
                ImageName = imageName,
                Architecture = architecture,
                ExpectLabels = labels,
                SourcePath = field,
            };
        }

        private List<HostSpec> ReadHosts(YamlMap root, FleetDefaults defaults, List<ImageSpec> images)
        {
            var result = new List<HostSpec>();
            var map = Map(root, K.Hosts, "");
            if (map is null)
            {
                if (root[K.Hosts] is null)
                {
                    Error(root.Start, K.Hosts, "missing: the servers of the fleet, by name");
                }
                return result;
            }
            foreach (var (key, value) in Unique(map, K.Hosts))
            {
                var field = $"{K.Hosts}.{key.Value}";
                _sources[field] = Loc(key.Start);
                if (!IsValidHostName(key.Value))
                {
                    Error(key.Start, field, $"'{key.Value}' is not a valid host name (lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)");
                }
                if (ReadHost(key, value, field, defaults, images) is { } host)
                {
                    result.Add(host);
                }
            }
            return result;
        }

        private HostSpec? ReadHost(YamlScalar key, YamlNodeBase node, string field, FleetDefaults defaults, List<ImageSpec> images)
        {
            if (node is not YamlMap map)
            {
                Error(node.Start, field, $"expected a mapping with the host's settings, got {node.Describe()}");
                return null;
            }
            CheckKeys(map, field, K.HostKeys);
            var image = ReadHostImage(key, map, field, images);
            var serverType = String(map, K.ServerType, field) ?? defaults.ServerType;
            var location = String(map, K.Location, field) ?? defaults.Location;
            if (serverType is null)
            {
                Error(key.Start, field, $"no server type: set '{field}.{K.ServerType}' or '{K.Defaults}.{K.ServerType}'");
            }
            if (location is null)
            {
                Error(key.Start, field, $"no location: set '{field}.{K.Location}' or '{K.Defaults}.{K.Location}'");
            }
            var labels = new Dictionary<string, string>(defaults.Labels, StringComparer.Ordinal);
            foreach (var (k, v) in Labels(map, field))
            {
                labels[k] = v;
            }
            var secrets = String(map, K.SecretsPath, field);
            CheckAbsolute(map, K.SecretsPath, field, secrets);
            var network = ReadNetwork(map, field);
            var userData = ReadUserData(map, field);
            var host = new
            {
                Role = String(map, K.Role, field),
                Networks = StringList(map, K.Networks, field),
                Firewalls = StringList(map, K.Firewalls, field),
                Volumes = StringList(map, K.Volumes, field),
                Flake = String(map, K.Flake, field),
                AdminUser = String(map, K.AdminUser, field),
                Domain = String(map, K.Domain, field),
                TargetHost = String(map, K.TargetHost, field),
                Converge = String(map, K.Converge, field),
            };
            if (image is not null && serverType is not null
                && image.Architecture is { } wanted && ServerTypeArchitecture(serverType) is { } actual && wanted != actual)
            {
                var imageKey = map[K.Image] is not null ? K.Image : K.ImageSelector;
                var what = image.SourcePath == field ? "the image" : $"image '{image.Name}'";
                Error(map[imageKey]!.Start, $"{field}.{imageKey}", $"{what} is for {wanted} but server type '{serverType}' is {actual}; use an {actual} image or a{(wanted == "arm" ? " cax" : " cx/cpx/ccx")} server type");
            }
            if (image is null || serverType is null || location is null)
            {
                return null;
            }
            return new HostSpec
            {
                Name = key.Value,
                Role = host.Role,
                Image = image,
                ServerType = serverType,
                Location = location,
                Labels = labels,
                Networks = host.Networks,
                Firewalls = host.Firewalls,
                Volumes = host.Volumes,
                UserData = userData,
                Flake = host.Flake ?? defaults.Flake,
                AdminUser = host.AdminUser ?? defaults.AdminUser,
                Domain = host.Domain ?? defaults.Domain,
                TargetHost = host.TargetHost,
                Converge = host.Converge,
                SecretsPath = secrets ?? defaults.SecretsPath ?? DefaultSecretsPath,
                Network = network,
            };
        }

        private ImageSpec? ReadHostImage(YamlScalar key, YamlMap map, string field, List<ImageSpec> images)
        {
            var hasImage = map[K.Image] is not null;
            var hasSelector = map[K.ImageSelector] is not null;
            var architecture = Architecture(map, field);
            if (map[K.Architecture] is not null && !hasSelector)
            {
                Error(map.KeyNode(K.Architecture)!.Start, $"{field}.{K.Architecture}", $"only applies with '{K.ImageSelector}' (a named image under '{K.Images}:' declares its own)");
            }
            if (hasImage == hasSelector)
            {
                Error(key.Start, field, $"set exactly one of '{K.Image}' (a name under '{K.Images}:', an image ID or a system image name) or '{K.ImageSelector}'");
                return null;
            }
            if (hasSelector)
            {
                var selector = String(map, K.ImageSelector, field);
                if (selector is null)
                {
                    return null;
                }
                CheckSelector(map[K.ImageSelector]!.Start, $"{field}.{K.ImageSelector}", selector);
                return new ImageSpec { Name = field, Kind = ImageKind.Selector, Selector = selector, Architecture = architecture, SourcePath = field };
            }
            var value = String(map, K.Image, field);
            if (value is null)
            {
                return null;
            }
            if (value.Length == 0)
            {
                Error(map[K.Image]!.Start, $"{field}.{K.Image}", "must not be empty");
                return null;
            }
            if (images.FirstOrDefault(i => i.Name == value) is { } named)
            {
                return named;
            }
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return new ImageSpec { Name = field, Kind = ImageKind.Pinned, Id = id, SourcePath = field };
            }
            return new ImageSpec { Name = field, Kind = ImageKind.Named, ImageName = value, SourcePath = field };
        }

        private UserDataSpec ReadUserData(YamlMap host, string hostField)
        {
            var field = $"{hostField}.{K.UserData}";
            var map = Map(host, K.UserData, hostField);
            if (map is null)
            {
                return new UserDataSpec();
            }
            CheckKeys(map, field, K.UserDataKeys);
            var templates = StringList(map, K.Templates, field);
            var seq = map[K.Templates] as YamlSeq;
            for (var i = 0; i < templates.Count && seq is not null; i++)
            {
                var full = FleetPaths.Resolve(_baseDirectory, templates[i]);
                if (!File.Exists(full))
                {
                    Error(seq.Items[i].Start, $"{field}.{K.Templates}[{i}]", $"template not found: {full}");
                }
            }
            var variables = StringMap(map, K.Variables, field);
            if (map[K.Variables] is YamlMap vars)
            {
                foreach (var (k, _) in vars.Entries)
                {
                    if (!VariablePattern().IsMatch(k.Value))
                    {
                        Error(k.Start, $"{field}.{K.Variables}.{k.Value}", "a variable name must match [A-Z][A-Z0-9_]* (it is used as ${NAME})");
                    }
                    else if (CloudInit.Placeholders.BuiltIn.Contains(k.Value))
                    {
                        Error(k.Start, $"{field}.{K.Variables}.{k.Value}", $"${{{k.Value}}} is a built-in placeholder; pick another name");
                    }
                }
            }
            return new UserDataSpec { Templates = templates, Variables = variables };
        }

        private StaticNetworkSpec? ReadNetwork(YamlMap host, string hostField)
        {
            var field = $"{hostField}.{K.Network}";
            var map = Map(host, K.Network, hostField);
            if (map is null)
            {
                return null;
            }
            CheckKeys(map, field, K.NetworkKeys);
            var address = String(map, K.Address, field);
            var gateway = String(map, K.Gateway, field);
            var dns = StringList(map, K.Dns, field);
            var iface = String(map, K.Interface, field);
            if (address is null)
            {
                Error(host.KeyNode(K.Network)!.Start, $"{field}.{K.Address}", "missing: the address with its prefix length, e.g. 10.0.0.5/24");
            }
            else if (!IsAddressWithPrefix(address))
            {
                Error(map[K.Address]!.Start, $"{field}.{K.Address}", $"'{address}' is not an address with a prefix length, e.g. 10.0.0.5/24");
            }
            if (gateway is not null && !IPAddress.TryParse(gateway, out _))
            {
                Error(map[K.Gateway]!.Start, $"{field}.{K.Gateway}", $"'{gateway}' is not an IP address");
            }
            for (var i = 0; i < dns.Count; i++)
            {
                if (!IPAddress.TryParse(dns[i], out _))
                {
                    Error(((YamlSeq)map[K.Dns]!).Items[i].Start, $"{field}.{K.Dns}[{i}]", $"'{dns[i]}' is not an IP address");
                }
            }
            if (iface is { Length: 0 })
            {
                Error(map[K.Interface]!.Start, $"{field}.{K.Interface}", "must not be empty");
            }
            return address is null ? null : new StaticNetworkSpec { Interface = iface ?? "eth0", Address = address, Gateway = gateway, Dns = dns };
        }

        private static bool IsAddressWithPrefix(string text)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip)
                || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            {
                return false;
            }
            return prefix <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
        }

        private void CheckSelector(YamlPos at, string field, string selector)
        {
            if (selector.Trim().Length == 0)
            {
                Error(at, field, "must not be empty");
            }
            else if (!LabelSelector.TryParse(selector, out _, out var error))
            {
                Error(at, field, $"not a label selector: {error!.Message}");
            }
        }

        private void CheckAbsolute(YamlMap map, string key, string parent, string? value)
        {
            if (value is not null && !value.StartsWith('/'))
            {
                Error(map[key]!.Start, $"{parent}.{key}", $"'{value}' must be an absolute path on the server");
            }
        }

        private string? Architecture(YamlMap map, string parent)
        {
            var value = String(map, K.Architecture, parent);
            if (value is not null && !K.Architectures.Contains(value))
            {
                Error(map[K.Architecture]!.Start, $"{parent}.{K.Architecture}", $"'{value}' is not an architecture: expected one of {string.Join(", ", K.Architectures)}");
                return null;
            }
            return value;
        }

        private Dictionary<string, string> Labels(YamlMap map, string parent)
        {
            var labels = StringMap(map, K.Labels, parent);
            if (map[K.Labels] is YamlMap node)
            {
                foreach (var (k, v) in node.Entries)
                {
                    var field = $"{parent}.{K.Labels}.{k.Value}";
                    if (k.Value.StartsWith("drover/", StringComparison.Ordinal))
                    {
                        Error(k.Start, field, "keys starting with 'drover/' are reserved for labels Drover sets itself");
                    }
                    else if (LabelValidation.KeyProblem(k.Value) is { } kp)
                    {
                        Error(k.Start, field, kp);
                    }
                    if (labels.TryGetValue(k.Value, out var value) && LabelValidation.ValueProblem(value) is { } vp)
                    {
                        Error(v.Start, field, vp);
                    }
                }
            }
            return labels;
        }

        // Typed accessors. A missing key or a null value is "not set"; a value of the wrong shape is an error naming the
        // expected type. Each records the field's position.

        private string? String(YamlMap map, string key, string parent)
        {
            var field = Join(parent, key);
            switch (map[key])
            {
                case null:
                case YamlScalar { IsNull: true }:
                    return null;
                case YamlScalar s:
                    _sources[field] = Loc(s.Start);
                    return s.Value;
                case var other:
                    Error(other.Start, field, $"expected a string, got {other.Describe()}");
                    return null;
            }
        }

        private long? Long(YamlMap map, string key, string parent)
        {
            var field = Join(parent, key);
            switch (map[key])
            {
                case null:
                case YamlScalar { IsNull: true }:
                    return null;
                case YamlScalar s when long.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0:
                    _sources[field] = Loc(s.Start);
                    return value;
                case var other:
                    Error(other.Start, field, $"expected a positive integer ID, got {other.Describe()}");
                    return null;
            }
        }

        private YamlMap? Map(YamlMap map, string key, string parent)
        {
            var fullField = Join(parent, key);
            switch (map[key])
            {
                case null:
                case YamlScalar { IsNull: true }:
                    return null;
                case YamlMap m:
                    _sources[fullField] = Loc(map.KeyNode(key)!.Start);
                    return m;
                case var other:
                    Error(other.Start, fullField, $"expected a mapping, got {other.Describe()}");
                    return null;
            }
        }

        private YamlSeq? Seq(YamlMap map, string key, string parent)
        {
            var field = Join(parent, key);
            switch (map[key])
            {
                case null:
                case YamlScalar { IsNull: true }:
                    return null;
                case YamlSeq s:
                    _sources[field] = Loc(map.KeyNode(key)!.Start);
                    return s;
                case var other:
                    Error(other.Start, field, $"expected a list, got {other.Describe()}");
                    return null;
            }
        }

        private List<string> StringList(YamlMap map, string key, string parent)
        {
            var result = new List<string>();
            var field = Join(parent, key);
            if (Seq(map, key, parent) is not { } seq)
            {
                return result;
            }
            for (var i = 0; i < seq.Items.Count; i++)
            {
                if (seq.Items[i] is YamlScalar { IsNull: false } s && s.Value.Length > 0)
                {
                    _sources[$"{field}[{i}]"] = Loc(s.Start);
                    result.Add(s.Value);
                }
                else
                {
                    Error(seq.Items[i].Start, $"{field}[{i}]", $"expected a string, got {seq.Items[i].Describe()}");
                }
            }
            return result;
        }

        private Dictionary<string, string> StringMap(YamlMap map, string key, string parent)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var field = Join(parent, key);
            if (Map(map, key, parent) is not { } m)
            {
                return result;
            }
            foreach (var (k, v) in Unique(m, field))
            {
                var entryField = $"{field}.{k.Value}";
                if (v is YamlScalar s)
                {
                    _sources[entryField] = Loc(s.Start);
                    result[k.Value] = s.IsNull ? "" : s.Value;
                }
                else
                {
                    Error(v.Start, entryField, $"expected a string, got {v.Describe()}");
                }
            }
            return result;
        }

        /// <summary>Reports unknown and duplicate keys of a mapping.</summary>
        private void CheckKeys(YamlMap map, string field, IReadOnlyList<string> allowed)
        {
            foreach (var (key, _) in map.Entries)
            {
                var keyField = Join(field, key.Value);
                if (!allowed.Contains(key.Value))
                {
                    var hint = DidYouMean(key.Value, allowed) is { } near ? $" (did you mean '{near}'?)" : $" (expected one of: {string.Join(", ", allowed)})";
                    Error(key.Start, keyField, "unknown key" + hint);
                }
            }
            foreach (var (key, first) in Duplicates(map))
            {
                Error(key.Start, Join(field, key.Value), $"duplicate key (first set at line {first.Start.Line})");
            }
        }

        /// <summary>The entries of a mapping without repeated keys (first wins); duplicates are reported once, here.</summary>
        private List<KeyValuePair<YamlScalar, YamlNodeBase>> Unique(YamlMap map, string field)
        {
            var duplicates = Duplicates(map).Select(d => d.Key).ToHashSet();
            foreach (var (key, first) in Duplicates(map))
            {
                Error(key.Start, Join(field, key.Value), $"duplicate key (first set at line {first.Start.Line})");
            }
            return [.. map.Entries.Where(e => !duplicates.Contains(e.Key))];
        }

        private static IEnumerable<(YamlScalar Key, YamlScalar First)> Duplicates(YamlMap map)
        {
            var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
            foreach (var (key, _) in map.Entries)
            {
                if (!seen.TryAdd(key.Value, key))
                {
                    yield return (key, seen[key.Value]);
                }
            }
        }

        private static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

        private SourceLocation Loc(YamlPos pos) => new(path, pos.Line, pos.Column);

        private void Error(YamlPos pos, string field, string message) => _diagnostics.Add(new FleetDiagnostic(Loc(pos), field, message));
    }
}
