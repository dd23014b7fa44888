using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Receiving;

/// <summary>The watched inbox folder. Bound to the <c>Inbox</c> section.</summary>
public sealed class InboxOptions
{
    /// <summary>Whether the service watches the inbox. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the folder is scanned. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a file must be left unchanged before it is read, so a file still being copied in is not taken half
    /// written. Default 500 ms. Writers that write elsewhere and rename into the inbox need no wait.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait for one file's bytes; a file not read by then is moved aside. Default 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
