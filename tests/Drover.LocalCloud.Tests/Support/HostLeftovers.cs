using System.Text.Json.Nodes;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>What of one rescue system is still on the host: its namespace, veth, sshd, loop device and route.</summary>
public static class HostLeftovers
{
    /// <summary>A description of every leftover of <paramref name="rescue"/> over <paramref name="disk"/>; empty when all is gone.</summary>
    public static async Task<IReadOnlyList<string>> OfAsync(ControlRescue rescue, string disk, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        if (rescue.Namespace is { } ns && File.Exists($"/run/netns/{ns}"))
        {
            found.Add($"network namespace {ns}");
        }
        if (rescue.HostVeth is { } veth && Directory.Exists($"/sys/class/net/{veth}"))
        {
            found.Add($"veth {veth}");
        }
        if (rescue.Pid is { } pid && rescue.Namespace is { } marker && CommandLine(pid) is { } cmdline && cmdline.Contains(marker, StringComparison.Ordinal))
        {
            found.Add($"sshd pid {pid} ({cmdline})");
        }
        foreach (var loop in await LoopDevicesOverAsync(disk, cancellationToken))
        {
            found.Add($"loop device {loop} over {disk}");
        }
        if (rescue.Address is { } address)
        {
            var route = await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "to", "exact", $"{address}/32"], "/", new Dictionary<string, string?>(), cancellationToken);
            if (route.StdOut.Trim().Length > 0)
            {
                found.Add($"route {route.StdOut.Trim()}");
            }
        }
        return found;
    }

    /// <summary>Whether the process runs with a command line containing <paramref name="marker"/>.</summary>
    public static bool IsRunning(int pid, string marker) => CommandLine(pid)?.Contains(marker, StringComparison.Ordinal) == true;

    public static async Task<IReadOnlyList<string>> LoopDevicesOverAsync(string backingFile, CancellationToken cancellationToken)
    {
        var list = await ProcessRunner.RunAsync("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"], "/", new Dictionary<string, string?>(), cancellationToken);
        if (list.StdOut.Trim().Length == 0)
        {
            return [];
        }
        return [.. JsonNode.Parse(list.StdOut)!["loopdevices"]!.AsArray()
            .Where(d => d!["back-file"]?.GetValue<string>() is { } back && back.StartsWith(backingFile, StringComparison.Ordinal))
            .Select(d => d!["name"]!.GetValue<string>())];
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
