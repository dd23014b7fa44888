using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Access;

/// <summary>The console at a shared counter. Bound to the <c>Console</c> section; a bad value stops start-up naming the key.</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// How long a console session may stand idle before it locks to a screen that shows no patient information and asks
    /// for its user's password (or lets another person sign in). Default 5 minutes; at least 30 seconds, and at most the
    /// 15 minutes after which an idle session ends (<see cref="Storage.Access.SessionStore.IdleTimeout"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:15:00")]
    public TimeSpan LockAfter { get; set; } = TimeSpan.FromMinutes(5);
}
