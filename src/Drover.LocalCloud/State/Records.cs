using System.Text.Json.Serialization;
using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.State;

/// <summary>A server plus what the API never shows (user data, rescue keys, public keys for the metadata, boot mode).</summary>
public sealed class ServerRecord
{
    public required Server Server { get; set; }
    public string? UserData { get; set; }
    public IReadOnlyList<long> RescueSshKeys { get; set; } = [];

    /// <summary>The public keys of the SSH keys given at create (for the metadata service), as they were then.</summary>
    public IReadOnlyList<string> PublicKeys { get; set; } = [];

    /// <summary>The server is running its rescue system (it was powered on with rescue enabled).</summary>
    public bool InRescue { get; set; }
}

/// <summary>An action and when it finishes; its public view is computed from the clock.</summary>
public sealed class ActionRecord
{
    public required long Id { get; init; }
    public required string Command { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset CompletesAt { get; set; }
    public IReadOnlyList<ActionResource> Resources { get; init; } = [];

    /// <summary>Set when the action is going to fail (an injected fault, or its work failed).</summary>
    public ActionError? Failure { get; set; }

    /// <summary>Real work the action waits for (a rescue start, a disk copy); never persisted.</summary>
    [JsonIgnore]
    public Task? Work { get; set; }

    /// <summary>When <see cref="Work"/> ended (successfully or not).</summary>
    [JsonIgnore]
    public DateTimeOffset? WorkFinished { get; set; }

    /// <summary>The compressed size of a <c>create_image</c> disk, in GB, measured by its work.</summary>
    [JsonIgnore]
    public double? MeasuredImageSize { get; set; }

    /// <summary>The action had work when it was saved: after a restart that work is lost and the action fails.</summary>
    public bool HasWork { get; set; }

    /// <summary>Completion effects have been applied.</summary>
    public bool Applied { get; set; }

    /// <summary>Running until its time has passed and its work (if any) has ended.</summary>
    public bool IsRunning(DateTimeOffset now) => now < CompletesAt || Work is { IsCompleted: false };

    public CloudAction View(DateTimeOffset now)
    {
        if (IsRunning(now))
        {
            var total = (CompletesAt - Started).TotalMilliseconds;
            var progress = total <= 0 ? 0 : (int)Math.Min(99, (now - Started).TotalMilliseconds * 100 / total);
            return new CloudAction { Id = Id, Command = Command, Status = ActionStatus.Running, Progress = progress, Started = Started, Finished = null, Resources = Resources, Error = null };
        }
        return new CloudAction
        {
            Id = Id,
            Command = Command,
            Status = Failure is null ? ActionStatus.Success : ActionStatus.Error,
            Progress = 100,
            Started = Started,
            Finished = WorkFinished is { } done && done > CompletesAt ? done : CompletesAt,
            Resources = Resources,
            Error = Failure,
        };
    }
}

/// <summary>Everything that survives a restart, as written to <c>state.json</c>.</summary>
public sealed class StateDocument
{
    public long NextId { get; set; } = 100_000;
    public long NextAddress { get; set; } = 1;

    /// <summary>This instance's /24 in 198.18.0.0/15 (0..509) for server IPv4s, chosen at random; -1 in old state files.</summary>
    public int AddressBlock { get; set; } = -1;
    public List<ServerRecord> Servers { get; set; } = [];
    public List<Image> Images { get; set; } = [];
    public List<SshKey> SshKeys { get; set; } = [];
    public List<ActionRecord> Actions { get; set; } = [];
    public List<Network> Networks { get; set; } = [];
    public List<Firewall> Firewalls { get; set; } = [];
    public List<Volume> Volumes { get; set; } = [];
}
