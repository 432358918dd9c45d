using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
using Drover.Demo;
using Drover.LocalCloud;

namespace Drover.Cli.Commands;

/// <summary>
/// <c>drover demo</c>: the main job on the local cloud, end to end: build a Debian image, import it, bootstrap two
/// servers from it with user-data, boot them for real, and check that both agents converged. Always runs on the
/// 'local' context.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliEnv env)
    {
        var keep = new Option<bool>("--keep") { Description = "Leave the demo servers, key and snapshot in place (delete them with 'drover local reset')" };
        var clone = new Option<bool>("--clone")
        {
            Description = "Then also shut demo-1 down, snapshot it converged, and create demo-3 from that snapshot: its agent must see a new instance (hostname demo-3, new SSH host keys)",
        };
        var delta = new Option<bool>("--delta")
        {
            Description = "Also make version 2 of the image (4 MiB of new bytes in free space of its root file system), upload it as a delta over the first (--base auto: only the changed block travels), and boot the servers from it",
        };
        var workDir = new Option<string?>("--work-dir") { Description = "Where the image, key and fleet file go (default: the data directory's demo/)" };
        var architecture = new Option<string>("--architecture")
        {
            Description = "x86 (cx23 servers) or arm (an arm64 image imported through a cax11 rescue system; cax11 servers boot under UEFI, emulated, several times slower)",
            DefaultValueFactory = _ => "x86",
        };
        architecture.AcceptOnlyFromAmong("x86", "arm");
        var hosts = new Option<int>("--hosts") { Description = "How many hosts the fleet has: 2 (demo-1, demo-2) or 1 (demo-1 alone)", DefaultValueFactory = _ => 2 };
        hosts.AcceptOnlyFromAmong("1", "2");
        var target = new Option<string>("--target")
        {
            Description = "hetzner (the local Hetzner cloud) or proxmox (the local Proxmox VE: a template of the image, demo-1 a linked clone with DHCP, demo-2 a full clone with a static address, each with its user-data on a cloud-init drive the agent reads)",
            DefaultValueFactory = _ => "hetzner",
        };
        target.AcceptOnlyFromAmong("hetzner", "proxmox");
        var command = new Command("demo", """
            Run the main job on the local cloud, end to end, and print the time of each step:
              1. build a Debian image (mmdebstrap from the configured apt mirror, cached root file system, a GPT disk with
                 GRUB for BIOS and UEFI (arm: UEFI), drover-agent inside, SSH host keys made at first boot, secret scan:
                 no secrets in the image)
              2. import it as a snapshot through a temporary server's rescue system (cx23, or cax11 for arm); with
                 --delta also make version 2 (4 MiB of new bytes in free space) and upload it over the first
                 (--base auto: the rescue system hashes the first's blocks, only the changed block travels), and the
                 servers boot from version 2
              3. bootstrap two servers from the snapshot with user-data (a fleet file, like 'drover bootstrap')
              4. both boot for real under QEMU; each agent reads the metadata service at 169.254.169.254, sets the
                 hostname, authorized keys and network, runs the converge command once and reports
              5. log in to each with the fleet's key and check: hostname = server name, agent status ok
              6. with --clone: shut demo-1 down, snapshot it, create demo-3 from that snapshot and check that its agent
                 treats it as a new instance (hostname demo-3, status ok, SSH host key not demo-1's)
            With --target proxmox it runs on the local Proxmox VE instead: the same image becomes a template, demo-1 (a
            linked clone, DHCP) and demo-2 (a full clone, a static address) boot with their user-data on a cloud-init
            drive, each agent reads that NoCloud drive, and Drover checks both over SSH.
            Needs root, QEMU and network namespaces (as on the CI machine); 'drover local status' says what is missing.
            Everything created in the cloud is deleted at the end, also on failure or Ctrl-C, unless --keep.
            """)
        { keep, clone, delta, workDir, architecture, hosts, target };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var err = env.IO.Error;
            await err.WriteLineAsync("==> start the local cloud");
            var status = await env.Local.UpAsync(ct);
            await err.WriteLineAsync($"    endpoint {status.Endpoint}");
            if (status.Machine is { Mode: not "machines" } machine)
            {
                await err.WriteLineAsync($"error: the main job needs real machines in the local cloud, and it runs API-only here: {machine.Reason}");
                await err.WriteLineAsync($"hint: {machine.Hint ?? "run 'drover local reset' (it probes machine support anew); 'drover local status' shows why"}");
                return Common.Failure;
            }
            foreach (var leftover in status.Machine?.Leftovers ?? [])
            {
                await err.WriteLineAsync($"warning: left on this host by an earlier run, and not removable yet: {leftover} ({MachineSupportProbe.LeftoversHint})");
            }
            using var logging = env.Logging;
            if (parse.GetValue(target) == "proxmox")
            {
                if (parse.GetValue(clone) || parse.GetValue(delta) || parse.GetValue(architecture) != "x86" || parse.GetValue(hosts) != 2)
                {
                    throw new UsageException("--target proxmox runs two x86 hosts; --clone, --delta, --architecture arm and --hosts 1 are for the Hetzner target");
                }
                return await ProxmoxAsync(env, parse.GetValue(workDir) ?? Path.Combine(env.Paths.DataDirectory, "demo-proxmox"), parse.GetValue(keep), logging, ct);
            }
            var (client, runs) = await env.Connector.ConnectWithRunsAsync("local", ct);
            var dir = parse.GetValue(workDir) ?? Path.Combine(env.Paths.DataDirectory, "demo");
            var progress = new ProgressRenderer(err, env.IO.ErrorIsTerminal);
            var result = await new MainJob(new MainJobOptions
            {
                Client = client,
                Runs = runs,
                WorkDirectory = dir,
                KnownHostsFile = env.Paths.KnownHostsFile,
                Log = err,
                Environment = env.IO.Env,
                Logging = logging,
                UploadProgress = progress,
                UploadDone = progress.EndLine,
                Keep = parse.GetValue(keep),
                SnapshotAndClone = parse.GetValue(clone),
                Delta = parse.GetValue(delta),
                Hosts = parse.GetValue(hosts),
                Architecture = parse.GetValue(architecture) == "arm" ? Hcloud.Contracts.Architecture.Arm : Hcloud.Contracts.Architecture.X86,
            }).RunAsync(ct);

            var w = env.IO.Out;
            w.WriteLine();
            var hostTable = new Table("HOST", "SERVER", "IPV4", "HOSTNAME", "AGENT", "AGENT TIME", "CONVERGE", "BOOT TO LOGIN");
            foreach (var (host, server, report) in result.Hosts)
            {
                hostTable.Add(host, server.Id.ToString(CultureInfo.InvariantCulture), server.PublicNet.Ipv4?.Ip, report.Hostname, report.Status,
                    report.AgentSeconds is { } a ? $"{a:0.00} s" : "-", report.ConvergeSeconds is { } c ? $"{c:0.00} s" : "-", $"{report.Waited.TotalSeconds:0} s");
            }
            hostTable.Write(w);
            w.WriteLine();
            PrintSteps(w, result.Steps);
            return Common.Ok;
        });
        return command;
    }

    private static async Task<int> ProxmoxAsync(CliEnv env, string dir, bool keep, Microsoft.Extensions.Logging.ILoggerFactory logging, CancellationToken ct)
    {
        var (client, target) = await env.Proxmox.ConnectAsync(null, null, ct, localOnly: true);
        await env.IO.Error.WriteLineAsync($"    local Proxmox VE {target.Options.Endpoint} (node {target.Node})");
        var subnet = LocalCloud.Proxmox.PveMachines.Subnet;
        var result = await new ProxmoxMainJob(new ProxmoxMainJobOptions
        {
            Client = client,
            Snippets = env.Proxmox.Snippets(target, client),
            Node = target.Node,
            StaticNetwork = ($"{subnet}.250/24", $"{subnet}.1", $"{subnet}.3"),
            WorkDirectory = dir,
            KnownHostsFile = env.Paths.KnownHostsFile,
            Log = env.IO.Error,
            Environment = env.IO.Env,
            Logging = logging,
            Keep = keep,
        }).RunAsync(ct);
        var w = env.IO.Out;
        w.WriteLine();
        var hostTable = new Table("HOST", "VMID", "ADDRESS", "HOSTNAME", "AGENT", "AGENT TIME", "CONVERGE", "START TO LOGIN");
        foreach (var (host, vm, report) in result.Hosts)
        {
            hostTable.Add(host, vm.VmId?.ToString(CultureInfo.InvariantCulture), vm.Address, report.Hostname, report.Status,
                report.AgentSeconds is { } a ? $"{a:0.00} s" : "-", report.ConvergeSeconds is { } c ? $"{c:0.00} s" : "-", $"{report.Waited.TotalSeconds:0} s");
        }
        hostTable.Write(w);
        w.WriteLine();
        PrintSteps(w, result.Steps);
        return Common.Ok;
    }

    private static void PrintSteps(TextWriter w, IReadOnlyList<(string Step, TimeSpan Took)> done)
    {
        var steps = new Table("STEP", "TIME");
        foreach (var (step, took) in done)
        {
            steps.Add(step, $"{took.TotalSeconds:0.0} s");
        }
        steps.Add("total", $"{done.Sum(s => s.Took.TotalSeconds):0.0} s");
        steps.Write(w);
    }
}
