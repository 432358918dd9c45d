using Drover.Core.Processes;

namespace Drover.Agent;

/// <summary>
/// The NoCloud drive on a real system: <c>/dev/disk/by-label/cidata</c> (or <c>CIDATA</c>, vfat), else what
/// <c>blkid -t LABEL=cidata -o device</c> names (live system only). Read where <c>/proc/self/mounts</c> says it is
/// mounted, else mounted read-only (<c>mount -o ro -t iso9660,vfat</c>) on a private directory under <c>/run</c> and
/// unmounted after the read. Paths go through the root like every other path, so a test root holds the links and the
/// mount table; with a root other than <c>/</c> nothing is mounted.
/// </summary>
internal sealed class BlockDeviceMedia(RootFs fs, AgentOptions options) : INoCloudMedia
{
    public static readonly IReadOnlyList<string> Labels = ["cidata", "CIDATA"];
    public const string ByLabel = "/dev/disk/by-label";
    public const string Mounts = "/proc/self/mounts";
    public const string MountParent = "/run";

    public async Task<string?> FindAsync(CancellationToken cancellationToken)
    {
        foreach (var label in Labels)
        {
            var link = $"{ByLabel}/{label}";
            if (File.Exists(fs.Path(link)))
            {
                var target = new FileInfo(fs.Path(link)).LinkTarget;
                return target is null ? link : Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(ByLabel, target));
            }
        }

        if (!options.IsLiveSystem)
        {
            return null;
        }

        foreach (var label in Labels)
        {
            try
            {
                var result = await ProcessRunner.RunAsync("blkid", ["-t", $"LABEL={label}", "-o", "device"], cancellationToken: cancellationToken);
                var device = result.Ok ? result.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
                if (device is not null)
                {
                    return device;
                }
            }
            catch (ProgramNotFoundException)
            {
                return null; // no blkid: the by-label links were the only way
            }
        }

        return null;
    }

    public async Task<NoCloudSeed> ReadAsync(string device, CancellationToken cancellationToken)
    {
        if (MountPoint(device) is { } mounted)
        {
            return NoCloudSeed.FromDirectory(device, fs.Path(mounted));
        }

        if (!options.IsLiveSystem)
        {
            throw new AgentException($"the NoCloud drive {device} is not mounted, and with a root other than / the agent mounts nothing");
        }

        var directory = Path.Combine(MountParent, "drover-agent-nocloud-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory, RootFs.PrivateDir);
        try
        {
            var mount = await Run("mount", ["-o", "ro", "-t", "iso9660,vfat", device, directory], cancellationToken);
            if (!mount.Ok)
            {
                throw new AgentException($"could not mount the NoCloud drive {device} read-only: {mount.Message}");
            }

            NoCloudSeed? seed = null;
            Exception? readError = null;
            try
            {
                seed = NoCloudSeed.FromDirectory(device, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                readError = e;
            }

            var umount = await Run("umount", [directory], CancellationToken.None);
            if (!umount.Ok)
            {
                throw new AgentException($"could not unmount the NoCloud drive {device} from {directory}: {umount.Message}");
            }

            return seed ?? throw new AgentException($"could not read the NoCloud drive {device}: {readError!.Message}", readError);
        }
        finally
        {
            try
            {
                Directory.Delete(directory);
            }
            catch (IOException)
            {
                // Still mounted (the unmount failed and said so); the directory stays under /run until reboot.
            }
        }
    }

    /// <summary>Where the mount table says <paramref name="device"/> is mounted, or null.</summary>
    private string? MountPoint(string device)
    {
        var table = fs.ReadText(Mounts);
        if (table is null)
        {
            return null;
        }

        foreach (var line in table.Split('\n'))
        {
            var fields = line.Split(' ');
            if (fields.Length >= 2 && Unescape(fields[0]) == device)
            {
                return Unescape(fields[1]);
            }
        }

        return null;
    }

    /// <summary>The mount table writes space, tab, newline and backslash as octal escapes (<c>\040</c>).</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    private static async Task<ProcessResult> Run(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await ProcessRunner.RunAsync(program, arguments, cancellationToken: cancellationToken);
        }
        catch (ProgramNotFoundException e)
        {
            throw new AgentException($"{program} could not run: {e.Message}", e);
        }
    }
}
