using System.CommandLine;
using Drover.Core.Ssh;
using Drover.Fleet.Config;
using Drover.Fleet.Remote;

namespace Drover.Cli.Commands;

/// <summary><c>drover server update apply --host H [--target-host USER@IP]</c>.</summary>
internal static class ServerUpdateCommand
{
    public static Command Create(CliEnv env)
    {
        var update = new Command("update", "Converge running servers again");
        update.Subcommands.Add(Apply(env));
        return update;
    }

    private static Command Apply(CliEnv env)
    {
        var host = new Option<string>("--host") { Description = "The host in the fleet file", Required = true };
        var target = FleetRemoteOptions.TargetHost();
        var port = FleetRemoteOptions.Port();
        var command = new Command("apply", """
            Run the host's converge command on it over SSH, streaming its output, and exit with its exit code.
            The command is the host's 'converge' setting; with only a 'flake' set it is
            'nixos-rebuild switch --flake <flake>#<host>' ('--impure' added with 'impure: true'). The host is reached at
            --target-host, else its 'target_host', else root at the public address of the fleet's server for it; the key
            is the fleet's 'identity_file'.
            """)
        { FleetCommon.ConfigOption, host, target, port };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            var spec = FleetRemoteOptions.FindHost(fleet, parse.GetValue(host)!);
            var converge = spec.EffectiveConverge;
            if (converge is null)
            {
                var field = $"hosts.{spec.Name}";
                throw new FleetConfigException(new FleetDiagnostic(fleet.Sources.Find(field), field,
                    "has no converge command: set 'converge:' (or 'flake:' for nixos-rebuild) for the host or under defaults"));
            }
            var connection = await TargetResolver.ResolveAsync(fleet, spec, parse.GetValue(target),
                c => env.Connector.ConnectAsync(parse.GetValue(Common.Context), c), parse.GetValue(port), ct);
            await env.IO.Error.WriteLineAsync($"==> {spec.Name}: {converge} (on {connection})");
            await using var stdout = new TextWriterStream(env.IO.Out);
            await using var stderr = new TextWriterStream(env.IO.Error);
            var exit = await OpenSsh.RunAsync(connection, converge, null, null, stdout, stderr, new SshOptions { KnownHostsFile = env.Paths.KnownHostsFile }, ct);
            if (exit == OpenSsh.ConnectionFailed)
            {
                await env.IO.Error.WriteLineAsync($"error: SSH to {connection} failed (exit 255)");
                return Common.Failure;
            }
            await env.IO.Error.WriteLineAsync(exit == 0 ? $"==> {spec.Name}: converged" : $"error: {spec.Name}: the converge command exited with {exit}");
            return exit;
        });
        return command;
    }
}

/// <summary>Options and lookups shared by the commands that SSH to fleet hosts.</summary>
internal static class FleetRemoteOptions
{
    public static Option<string?> TargetHost() => new("--target-host") { Description = "Connect to USER@ADDRESS instead of the host's target_host or its server's public address" };

    public static Option<int> Port() => new("--ssh-port") { Description = "SSH port", DefaultValueFactory = _ => 22 };

    public static HostSpec FindHost(FleetFile fleet, string name) =>
        fleet.FindHost(name) ?? throw new UsageException($"no host '{name}' in {fleet.Path} (hosts: {string.Join(", ", fleet.Hosts.Select(h => h.Name))})");
}

/// <summary>A write-only stream that decodes UTF-8 onto a <see cref="TextWriter"/> (the CLI's stdout/stderr abstraction).</summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    private readonly System.Text.Decoder _decoder = System.Text.Encoding.UTF8.GetDecoder();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => writer.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        var chars = new char[_decoder.GetCharCount(buffer, offset, count)];
        _decoder.GetChars(buffer, offset, count, chars, 0);
        lock (writer)
        {
            writer.Write(chars);
        }
    }
}
