using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Drover.Proxmox;

/// <summary>
/// A Proxmox task id: <c>UPID:node:pid:pstart:starttime:type:id:user:</c> (pid, pstart and starttime in hex; note the
/// trailing colon). <see cref="ToString"/> returns the original text, which is what the API wants back.
/// </summary>
public sealed partial record Upid
{
    private Upid(string value, string node, int pid, long processStart, DateTimeOffset startTime, string type, string id, string user)
    {
        Value = value;
        Node = node;
        Pid = pid;
        ProcessStart = processStart;
        StartTime = startTime;
        Type = type;
        Id = id;
        User = user;
    }

    /// <summary>The UPID as the API sent it.</summary>
    public string Value { get; }

    /// <summary>The node the task runs on (its status lives there).</summary>
    public string Node { get; }

    public int Pid { get; }

    /// <summary>Process start, in clock ticks since boot.</summary>
    public long ProcessStart { get; }

    public DateTimeOffset StartTime { get; }

    /// <summary>Worker type: <c>qmcreate</c>, <c>qmclone</c>, <c>qmstart</c>, <c>imgcopy</c>, …</summary>
    public string Type { get; }

    /// <summary>The object, usually a VMID (for <c>qmclone</c> the source VMID); may be empty.</summary>
    public string Id { get; }

    /// <summary>Who started it, e.g. <c>root@pam!drover</c>.</summary>
    public string User { get; }

    public static Upid Parse(string value)
        => TryParse(value, out var upid) ? upid : throw new FormatException($"'{value}' is not a Proxmox UPID (UPID:node:pid:pstart:starttime:type:id:user:)");

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out Upid? upid)
    {
        upid = null;
        if (value is null || Pattern().Match(value) is not { Success: true } m)
        {
            return false;
        }
        upid = new Upid(value, m.Groups["node"].Value,
            int.Parse(m.Groups["pid"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            long.Parse(m.Groups["pstart"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(m.Groups["start"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)),
            m.Groups["type"].Value, m.Groups["id"].Value, m.Groups["user"].Value);
        return true;
    }

    /// <summary>Builds a UPID as Proxmox formats it (hex fields of 8 digits, trailing colon).</summary>
    public static Upid Create(string node, int pid, long processStart, DateTimeOffset startTime, string type, string id, string user)
        => Parse(string.Create(CultureInfo.InvariantCulture,
            $"UPID:{node}:{pid:X8}:{processStart:X8}:{startTime.ToUnixTimeSeconds():X8}:{type}:{id}:{user}:"));

    public override string ToString() => Value;

    [GeneratedRegex(@"^UPID:(?<node>[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):(?<pid>[0-9A-Fa-f]{8}):(?<pstart>[0-9A-Fa-f]{8,9}):(?<start>[0-9A-Fa-f]{8}):(?<type>[^:\s]+):(?<id>[^:\s]*):(?<user>[^:\s]+):$")]
    private static partial Regex Pattern();
}
