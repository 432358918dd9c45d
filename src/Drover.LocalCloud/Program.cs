using System.Globalization;
using Drover.LocalCloud;

// Standalone host: Drover.LocalCloud [--port N] [--state-dir DIR] [--ready-file F] [--action-duration-ms N] [--machines auto|off]
// The token comes from DROVER_LOCAL_TOKEN (never from argv, which other users can read); a random one is made otherwise.
var port = 0;
string? stateDir = null, readyFile = null;
var actionMs = 1000;
var machines = MachineMode.Auto;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--state-dir": stateDir = args[++i]; break;
        case "--ready-file": readyFile = args[++i]; break;
        case "--action-duration-ms": actionMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--machines": machines = Enum.Parse<MachineMode>(args[++i], ignoreCase: true); break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'");
            return 2;
    }
}
var token = Environment.GetEnvironmentVariable("DROVER_LOCAL_TOKEN");
if (string.IsNullOrEmpty(token))
{
    token = LocalCloudOptions.NewToken();
    await Console.Error.WriteLineAsync("DROVER_LOCAL_TOKEN not set: generated a token (see the ready file's owner for it)");
}
var options = new LocalCloudOptions { Token = token, StateDirectory = stateDir, ActionDuration = TimeSpan.FromMilliseconds(actionMs), Machines = machines };
return await LocalCloudServer.RunAsync(options, port, readyFile);
