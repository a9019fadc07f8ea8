using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>Packs any model or monitor object field by field into a <see cref="Packer"/>: numbers,
/// enums and booleans as words, strings by their characters, records, classes and structs by their
/// instance fields (declared order, base classes included), collections element by element, null
/// as a marker.</summary>
/// <remarks>
/// Field getters are compiled once per type. Skipped: delegates (a monitor's subscription to the
/// shared PC accounting), the trace header and the judge context inside a monitor (packed once, from
/// the checker), the event list a context carries (the history is packed through the monitors that
/// judge it), and a monitor's stored violations (reporting them does not change what it does next).
/// </remarks>
public static class StatePacker
{
    private static readonly ConcurrentDictionary<Type, Func<object, object?>[]> Getters = new();

    public static void Pack(ref Packer p, object? o, int depth = 0)
    {
        switch (o)
        {
            case null: p.Add(0xA5A5_0000UL); return;
            case bool b: p.Add(b); return;
            case Enum e: p.Add(Convert.ToUInt64(e, null)); return;
            case ulong u: p.Add(u); return;
            case long l: p.Add((ulong)l); return;
            case int i: p.Add((ulong)(long)i); return;
            case uint ui: p.Add(ui); return;
            case byte by: p.Add(by); return;
            case ushort us: p.Add(us); return;
            case string s:
                p.Add((ulong)s.Length);
                foreach (char c in s) p.Add(c);
                return;
        }
        if (depth > 12) throw new InvalidOperationException($"state packing nests too deeply at {o.GetType()}");
        if (o is IEnumerable seq)
        {
            ulong n = 0;
            foreach (var x in seq) { Pack(ref p, x, depth + 1); n++; }
            p.Add(n);
            return;
        }
        foreach (var g in Getters.GetOrAdd(o.GetType(), Compile)) Pack(ref p, g(o), depth + 1);
    }

    private static bool Skipped(FieldInfo f) =>
        typeof(Delegate).IsAssignableFrom(f.FieldType)
        || f.FieldType == typeof(TraceHeader) || f.FieldType == typeof(JudgeContext)
        || typeof(IEnumerable<TraceEvent>).IsAssignableFrom(f.FieldType)
        || (f.DeclaringType == typeof(Spec.Invariants.Monitor) && f.FieldType != typeof(string));

    private static Func<object, object?>[] Compile(Type t)
    {
        var fields = new List<FieldInfo>();
        for (var x = t; x is not null && x != typeof(object) && x != typeof(ValueType); x = x.BaseType)
            fields.InsertRange(0, x.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Where(f => !Skipped(f)));
        return [.. fields.Select(f =>
        {
            var o = Expression.Parameter(typeof(object));
            var body = Expression.Convert(Expression.Field(Expression.Convert(o, t), f), typeof(object));
            return Expression.Lambda<Func<object, object?>>(body, o).Compile();
        })];
    }
}
