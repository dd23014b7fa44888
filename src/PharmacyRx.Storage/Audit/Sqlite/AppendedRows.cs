using System.Runtime.CompilerServices;
using SQLitePCL;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// The first row and row count each append-only covered table got in the current transaction on a service connection,
/// from SQLite's update hook: under the write lock new rowids exceed all others, so one number per table covers them
/// all. An intruder's sqlite3 append has no hook, so is never marked; a rollback forgets the marks.
/// </summary>
internal sealed class AppendedRows
{
    private static readonly ConditionalWeakTable<sqlite3, AppendedRows> Watched = new();
    private static readonly HashSet<string> AppendOnly = CoveredTables.All.Where(t => t.AppendOnly).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    private readonly Dictionary<string, (long First, int Count)> _first = new(StringComparer.Ordinal);

    /// <summary>Starts watching a connection's handle (once per handle; a pooled handle keeps its hook).</summary>
    public static void Watch(sqlite3 handle)
    {
        if (Watched.TryGetValue(handle, out _))
        {
            return;
        }
        var rows = new AppendedRows();
        Watched.Add(handle, rows);
        raw.sqlite3_update_hook(handle, rows.OnChange, null);
        raw.sqlite3_rollback_hook(handle, _ => rows._first.Clear(), null);
    }

    /// <summary>The marks of this handle's current transaction, taken (cleared); empty when the handle is not watched.</summary>
    public static Dictionary<string, (long First, int Count)> Take(sqlite3 handle)
    {
        if (!Watched.TryGetValue(handle, out var rows) || rows._first.Count == 0)
        {
            return [];
        }
        var taken = new Dictionary<string, (long First, int Count)>(rows._first, StringComparer.Ordinal);
        rows._first.Clear();
        return taken;
    }

    public static bool IsWatched(sqlite3 handle) => Watched.TryGetValue(handle, out _);

    private void OnChange(object user, int type, utf8z database, utf8z table, long rowid)
    {
        if (type == raw.SQLITE_INSERT && table.utf8_to_string() is var name && AppendOnly.Contains(name) && database.utf8_to_string() == "main")
        {
            _first[name] = _first.TryGetValue(name, out var marked) ? (marked.First, marked.Count + 1) : (rowid, 1);
        }
    }
}
