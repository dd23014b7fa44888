namespace PharmacyRx.Storage;

/// <summary>
/// The configured database cannot be used: not reachable, or the storage settings name none (an unknown provider, a missing
/// connection string). Named with the server or file and the cause so that pharmacy IT can act on it; never a reason to fall
/// back to another database.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message) : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
