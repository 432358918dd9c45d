using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// The host-wide names one local cloud uses (network namespaces, veth interfaces, the metric of its address-block
/// route), all derived from its machines directory: a cloud's names never collide with another directory's, and a
/// sweep finds what the cloud left on the host by name even where its registry was lost (a state directory deleted by
/// hand). Names carry a sequence number the registry keeps, so no name is used twice by one cloud.
/// </summary>
internal sealed class MachineNames
{
    /// <summary>veth names are at most 15 bytes (IFNAMSIZ 16 with the NUL): "dv" + 6 + up to 6 + "h".</summary>
    private const int MaxSequence = 0xFFFFFF;

    public MachineNames(string root)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(root)));
        CloudId = Convert.ToHexStringLower(hash)[..6];
        // A route metric of 0x1000000 + the id: unique to the cloud and far above what distributions set.
        RouteMetric = 0x1000000 + ((hash[0] << 16) | (hash[1] << 8) | hash[2]);
    }

    /// <summary>Six hex digits of sha256(machines directory).</summary>
    public string CloudId { get; }

    /// <summary>Every network namespace of this cloud starts with this.</summary>
    public string NamespacePrefix => $"drover-{CloudId}-";

    /// <summary>Every veth interface of this cloud starts with this.</summary>
    public string VethPrefix => $"dv{CloudId}";

    /// <summary>The metric of this cloud's <c>unreachable</c> address-block route, so a sweep can tell it from others'.</summary>
    public int RouteMetric { get; }

    /// <summary>The namespace and veth pair of the <paramref name="sequence"/>-th machine, for server <paramref name="serverId"/>.</summary>
    public (string Namespace, string HostVeth, string NsVeth) For(long sequence, long serverId)
    {
        var suffix = (sequence & MaxSequence).ToString("x", CultureInfo.InvariantCulture);
        return ($"{NamespacePrefix}{suffix}-s{serverId.ToString(CultureInfo.InvariantCulture)}", $"{VethPrefix}{suffix}h", $"{VethPrefix}{suffix}r");
    }

    /// <summary>
    /// Parses one of this cloud's namespace names back into its host veth and server id (for a namespace no registry
    /// entry names); null for any other name.
    /// </summary>
    public (string HostVeth, long ServerId)? Parse(string ns)
    {
        if (!ns.StartsWith(NamespacePrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = ns[NamespacePrefix.Length..].Split("-s");
        return rest.Length == 2
            && rest[0].Length is > 0 and <= 6 && rest[0].All(char.IsAsciiHexDigitLower)
            && long.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var server)
            ? ($"{VethPrefix}{rest[0]}h", server)
            : null;
    }
}
