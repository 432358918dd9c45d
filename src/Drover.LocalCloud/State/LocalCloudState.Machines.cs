using System.Globalization;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.State;

/// <summary>The state's side of the machine runtime: address blocks, work tracking, recovery after a restart.</summary>
public sealed partial class LocalCloudState
{
    /// <summary>Completes when the work of every running action has ended (for the control API's "complete actions").</summary>
    public Task PendingWork()
    {
        var work = Run(() => _doc.Actions.Where(a => !a.Applied && a.Work is not null).Select(a => a.Work!).ToList());
        return Task.WhenAll(work.Select(w => w.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
    }

    /// <summary>
    /// A random /24 of 198.18.0.0/15 for this instance's server addresses (the last two are kept for the host side),
    /// avoiding blocks this host already routes, so that local clouds running side by side do not collide.
    /// </summary>
    private int PickAddressBlock()
    {
        const int Blocks = 510;
        var used = new HashSet<int>();
        if (_machines is not null)
        {
            var routes = HostCommand.Run("ip", "-4", "route", "show", "root", "198.18.0.0/15");
            foreach (var line in routes.Ok ? routes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [])
            {
                var prefix = line.Split(' ').FirstOrDefault(w => w.Count(c => c == '.') == 3) ?? "";
                var octets = prefix.Split('/')[0].Split('.');
                if (octets.Length == 4 && int.TryParse(octets[1], CultureInfo.InvariantCulture, out var b) && int.TryParse(octets[2], CultureInfo.InvariantCulture, out var c))
                {
                    used.Add(((b - 18) * 256) + c);
                }
            }
        }
        var free = Enumerable.Range(0, Blocks).Where(b => !used.Contains(b)).ToArray();
        return free.Length == 0 ? System.Security.Cryptography.RandomNumberGenerator.GetInt32(Blocks) : free[System.Security.Cryptography.RandomNumberGenerator.GetInt32(free.Length)];
    }

    /// <summary>The /24 of an address block, e.g. <c>198.18.7.0/24</c>.</summary>
    private static string BlockOf(int block) => $"198.{18 + (block / 256)}.{block % 256}.0/24";

    /// <summary>The <paramref name="n"/>-th server address (1-based) of an instance: 254 per /24, then the next /24.</summary>
    private static string AddressOf(int block, long n)
    {
        const int Blocks = 510;
        var b = (int)((block + ((n - 1) / 254)) % Blocks);
        var host = ((n - 1) % 254) + 1;
        return $"198.{18 + (b / 256)}.{b % 256}.{host}";
    }

    /// <summary>
    /// After a restart: actions whose work was lost fail (a server being created or an image being made is dropped,
    /// any other server involved is off), and with machines every server that was in its rescue system or booted under
    /// QEMU is off, since neither survives a restart (the sweep removed what was left).
    /// </summary>
    private void RecoverFromRestart()
    {
        foreach (var action in _doc.Actions.Where(a => !a.Applied && a.HasWork).ToList())
        {
            action.Applied = true;
            action.Failure = new ActionError { Code = "action_failed", Message = "the local cloud stopped before this action's work finished" };
            action.CompletesAt = action.CompletesAt < Now ? action.CompletesAt : Now;
            _dirty = true;
            var serverId = action.Resources.FirstOrDefault(r => r.Type == "server")?.Id;
            var server = serverId is { } sid ? _doc.Servers.FirstOrDefault(s => s.Server.Id == sid) : null;
            switch (action.Command)
            {
                case "create_server" when server is not null:
                    _doc.Servers.Remove(server);
                    break;
                case "create_image":
                    var imageId = action.Resources.FirstOrDefault(r => r.Type == "image")?.Id;
                    _doc.Images.RemoveAll(i => i.Id == imageId);
                    break;
                default:
                    if (server is not null)
                    {
                        server.InRescue = false;
                        SetStatus(server, ServerStatus.Off);
                    }
                    break;
            }
        }
        foreach (var server in _machines is null ? [] : _doc.Servers.Where(s => s.InRescue))
        {
            server.InRescue = false;
            SetStatus(server, ServerStatus.Off);
        }
        // Nor does a QEMU boot: a running server whose disk holds data was running under QEMU.
        foreach (var server in _machines is null ? [] : _doc.Servers.Where(s => s.Server.Status == ServerStatus.Running && _machines.HasBootableDisk(s.Server.Id)))
        {
            SetStatus(server, ServerStatus.Off);
        }
    }

    private async Task TrackAsync(ActionRecord action, Func<ActionRecord, Task> work)
    {
        try
        {
            await work(action);
        }
        finally
        {
            action.WorkFinished = Now;
        }
    }

    private static async Task MeasureAsync(ActionRecord action, Task<double> snapshot) => action.MeasuredImageSize = await snapshot;
}
