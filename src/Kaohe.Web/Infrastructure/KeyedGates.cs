namespace Kaohe.Web.Infrastructure;

/// <summary>
/// One holder at a time per key (the results store's and the Insight analyses' "one computation per key"). A key's
/// semaphore exists only while someone holds it or waits for it: the keys are versions, periods, roles and languages,
/// and a semaphore kept per key for ever grew with every version ever computed.
/// </summary>
public sealed class KeyedGates<TKey>(IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private sealed class Gate
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
    }

    private readonly Dictionary<TKey, Gate> _gates = new(comparer);
    private readonly Lock _lock = new();

    /// <summary>How many keys have a gate now (held or waited for); for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _gates.Count;
        }
    }

    /// <summary>Waits until no one else holds <paramref name="key"/>, then holds it until the answer is disposed.</summary>
    public async Task<Held> EnterAsync(TKey key)
    {
        Gate gate;
        lock (_lock)
        {
            if (!_gates.TryGetValue(key, out gate!)) _gates[key] = gate = new Gate();
            gate.Users++;
        }
        // Without a token the wait cannot fail: every counted user reaches Leave.
        await gate.Semaphore.WaitAsync();
        return new Held(this, key, gate);
    }

    private void Leave(TKey key, Gate gate)
    {
        gate.Semaphore.Release();
        lock (_lock)
        {
            // The last user removes the key; a user that came since counted itself first and keeps it.
            if (--gate.Users == 0) _gates.Remove(key);
        }
    }

    /// <summary>The key held; disposing it lets the next waiter in (or forgets the key when no one waits).</summary>
    public readonly struct Held : IDisposable
    {
        private readonly KeyedGates<TKey>? _owner;
        private readonly TKey _key;
        private readonly Gate? _gate;

        internal Held(KeyedGates<TKey> owner, TKey key, object gate) => (_owner, _key, _gate) = (owner, key, (Gate)gate);

        public void Dispose() => _owner?.Leave(_key, _gate!);
    }
}
