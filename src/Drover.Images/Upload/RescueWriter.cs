using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Images.Rescue;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

/// <summary>Boots a server into its rescue system and writes an image onto its disk there.</summary>
public sealed class RescueWriter(HcloudClient client, ILogger logger, TimeProvider timeProvider, Func<SshTarget, IRemoteShell> shellFactory)
{
    /// <summary>Enables rescue with <paramref name="key"/> and powers the server on (or resets it when it runs).</summary>
    public async Task BootRescueAsync(Server server, SshKey key, CancellationToken ct)
    {
        var rescue = await client.Servers.EnableRescueAsync(server.Id, new EnableRescueRequest { Type = "linux64", SshKeys = [key.Id] }, ct);
        await client.Actions.WaitAsync([rescue.Action], null, ct);
        var boot = server.Status == ServerStatus.Off ? await client.Servers.PowerOnAsync(server.Id, ct) : await client.Servers.ResetAsync(server.Id, ct);
        await client.Actions.WaitAsync([boot], null, ct);
        logger.LogInformation("server {Id} booted into its rescue system", server.Id);
    }

    /// <summary>Connects (retrying until <paramref name="sshTimeout"/>), asks whether zstd is there, and returns the shell.</summary>
    public async Task<(IRemoteShell Shell, bool HasZstd)> ConnectAsync(SshTarget target, TimeSpan sshTimeout, CancellationToken ct)
    {
        var shell = shellFactory(target);
        try
        {
            return await ProbeAsync(shell, target, sshTimeout, ct);
        }
        catch
        {
            await shell.DisposeAsync();
            throw;
        }
    }

    private async Task<(IRemoteShell Shell, bool HasZstd)> ProbeAsync(IRemoteShell shell, SshTarget target, TimeSpan sshTimeout, CancellationToken ct)
    {
        var started = timeProvider.GetTimestamp();
        string last = "";
        while (true)
        {
            try
            {
                var probe = await shell.RunAsync("test -b /dev/sda && { command -v zstd >/dev/null && echo zstd || echo plain; }", null, null, ct);
                if (probe.ExitCode == 0)
                {
                    return (shell, probe.Stdout.Contains("zstd", StringComparison.Ordinal));
                }
                last = $"/dev/sda is missing on the rescue system ({probe.Stderr.Trim()})";
            }
            catch (RemoteShellException e)
            {
                last = e.Message;
            }
            if (timeProvider.GetElapsedTime(started) > sshTimeout)
            {
                throw new RemoteShellException($"the rescue system at {target.Host} was not reachable over SSH within {sshTimeout.TotalSeconds:0} s: {last}");
            }
            await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, ct);
        }
    }

    /// <summary>Runs the write script; maps its exit codes to clear errors.</summary>
    public static async Task<RescueReport> WriteAsync(IRemoteShell shell, WriteOptions options, Stream? data, IProgress<long>? sent, CancellationToken ct)
    {
        var result = await shell.RunAsync(RescueCommand.Build(options), data, sent, ct);
        if (result.ExitCode == 0)
        {
            return RescueReport.Parse(result.Stdout);
        }
        // dd's statistics say nothing about the cause; the lines before them (curl, a decompressor, the script) do.
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains(" records in", StringComparison.Ordinal) && !l.Contains(" records out", StringComparison.Ordinal) && !l.Contains(" bytes copied", StringComparison.Ordinal) && !l.Contains(" bytes (", StringComparison.Ordinal));
        var why = string.Join(" / ", lines.TakeLast(3));
        throw new UploadException("write", result.ExitCode switch
        {
            RescueCommand.ExitDigestMismatch => $"the image does not match the expected sha256: {why}",
            RescueCommand.ExitNoDevice => $"the rescue system has no disk: {why}",
            RescueCommand.ExitNotQcow2 => $"the image is not a valid qcow2 image: {why}",
            RescueCommand.ExitTooLarge => why,
            RescueCommand.ExitVerifyFailed => $"the disk does not hold what was written: {why}",
            var code => $"writing the image failed (exit {code}; corrupt or truncated input?): {why}",
        });
    }
}
