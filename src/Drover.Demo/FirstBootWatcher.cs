using System.Text;
using System.Text.Json;
using Drover.Core.Ssh;

namespace Drover.Demo;

/// <summary>What a server said about its first boot: read over SSH with the fleet's key.</summary>
public sealed record FirstBootReport(string Hostname, string Status, double? AgentSeconds, double? ConvergeSeconds, string? Error, TimeSpan Waited);

/// <summary>
/// Waits until a freshly created server answers SSH with the fleet key and its agent has written
/// <c>/var/lib/drover/status.json</c>; the login itself proves the key from the metadata service works.
/// </summary>
public static class FirstBootWatcher
{
    /// <remarks><c>serialMarkers</c> reads the agent's serial marker line (local cloud only); a reported error ends the wait at once.</remarks>
    /// <remarks>
    /// With <paramref name="instanceId"/>, a status.json of another instance (a disk from a snapshot of another server,
    /// before this server's agent has run) is not the answer: the wait goes on.
    /// </remarks>
    public static async Task<FirstBootReport> WaitAsync(SshTarget host, string knownHosts, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken,
        Func<CancellationToken, Task<string?>>? serialMarkers = null, long? instanceId = null)
    {
        var started = time.GetTimestamp();
        string? last = null;
        while (time.GetElapsedTime(started) < timeout)
        {
            using var stdout = new MemoryStream();
            using var stderr = new MemoryStream();
            var exit = await OpenSsh.RunAsync(host, "hostname; cat /var/lib/drover/status.json", null, null, stdout, stderr, new SshOptions { KnownHostsFile = knownHosts }, cancellationToken);
            var text = Encoding.UTF8.GetString(stdout.ToArray());
            if (exit == 0)
            {
                var newline = text.IndexOf('\n', StringComparison.Ordinal);
                using var doc = JsonDocument.Parse(text[(newline + 1)..]);
                var root = doc.RootElement;
                var reported = root.TryGetProperty("instance_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                if (instanceId is { } expected && reported != expected.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    last = $"status.json is from instance {reported ?? "(none)"}, not {expected}: this server's agent has not finished yet";
                    await Task.Delay(TimeSpan.FromSeconds(3), time, cancellationToken);
                    continue;
                }
                double? Seconds(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
                var converge = root.TryGetProperty("converge", out var c) && c.ValueKind == JsonValueKind.Object ? Seconds(c, "seconds") : null;
                return new FirstBootReport(
                    text[..newline].Trim(),
                    root.TryGetProperty("status", out var s) ? s.GetString() ?? "?" : "?",
                    Seconds(root, "agent_seconds"),
                    converge,
                    root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String ? err.GetString() : null,
                    time.GetElapsedTime(started));
            }
            last = (Encoding.UTF8.GetString(stderr.ToArray()) + text).Trim();
            if (last.Contains("Host key verification failed", StringComparison.Ordinal))
            {
                // Waiting cannot help: another host key for this address is on record.
                throw new DemoException($"{host}: the host key differs from the one recorded for {host.Host} in {knownHosts} (remove that entry if the server was replaced): {last}");
            }
            if (serialMarkers is not null && await serialMarkers(cancellationToken) is { } markers
                && markers.Split('\n').FirstOrDefault(l => l.StartsWith("DROVER-AGENT status=error", StringComparison.Ordinal)) is { } failure)
            {
                throw new DemoException($"{host}: the agent failed (serial console): {failure.Trim()}");
            }
            await Task.Delay(TimeSpan.FromSeconds(3), time, cancellationToken);
        }
        throw new DemoException($"{host} did not report a finished first boot within {timeout.TotalSeconds:0} s (last: {last})");
    }
}
