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
    private delegate void PackFields(ref Packer p, object o, int depth);

    private static readonly ConcurrentDictionary<Type, PackFields> Packers = new();

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
        Packers.GetOrAdd(o.GetType(), Compile)(ref p, o, depth);
    }

    private static bool Skipped(FieldInfo f) =>
        typeof(Delegate).IsAssignableFrom(f.FieldType)
        || f.FieldType == typeof(TraceHeader)
        || typeof(IEnumerable<TraceEvent>).IsAssignableFrom(f.FieldType)
        || f.DeclaringType == typeof(Spec.Invariants.Monitor);

    private static IEnumerable<FieldInfo> FieldsOf(Type t)
    {
        var fields = new List<FieldInfo>();
        for (var x = t; x is not null && x != typeof(object) && x != typeof(ValueType); x = x.BaseType)
            fields.InsertRange(0, x.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Where(f => !Skipped(f)));
        return fields;
    }

    private static readonly MethodInfo AddWord = typeof(Packer).GetMethod(nameof(Packer.Add), [typeof(ulong)])!;
    private static readonly MethodInfo PackObject = typeof(StatePacker).GetMethod(nameof(Pack))!;

    /// <summary>A packer for <paramref name="t"/>'s fields: words added in place, nested structs
    /// unfolded, everything else (classes, strings, nullables, collections) packed recursively.</summary>
    private static PackFields Compile(Type t)
    {
        var p = Expression.Parameter(typeof(Packer).MakeByRefType(), "p");
        var o = Expression.Parameter(typeof(object), "o");
        var depth = Expression.Parameter(typeof(int), "depth");
        var body = new List<Expression>();
        void Emit(Expression value, Type type, int nesting)
        {
            var u = type.IsEnum ? Enum.GetUnderlyingType(type) : type;
            if (u == typeof(bool))
                body.Add(Expression.Call(p, AddWord, Expression.Condition(value, Expression.Constant(1UL), Expression.Constant(0UL))));
            else if (u == typeof(ulong) || u == typeof(long) || u == typeof(int) || u == typeof(uint) || u == typeof(byte) || u == typeof(ushort) || u == typeof(short) || u == typeof(sbyte))
            {
                var v = type.IsEnum ? Expression.Convert(value, u) : value;
                var widened = u == typeof(int) || u == typeof(short) || u == typeof(sbyte) ? Expression.Convert(Expression.Convert(v, typeof(long)), typeof(ulong)) : Expression.Convert(v, typeof(ulong));
                body.Add(Expression.Call(p, AddWord, widened));
            }
            else if (type.IsValueType && !type.IsPrimitive && Nullable.GetUnderlyingType(type) is null && nesting < 4
                     && !typeof(IEnumerable).IsAssignableFrom(type) && FieldsOf(type).All(f => f.FieldType != type))
                foreach (var f in FieldsOf(type)) Emit(Expression.Field(value, f), f.FieldType, nesting + 1);
            else
                body.Add(Expression.Call(PackObject, p, Expression.Convert(value, typeof(object)), Expression.Add(depth, Expression.Constant(1))));
        }
        var typed = Expression.Variable(t, "x");
        body.Add(Expression.Assign(typed, Expression.Convert(o, t)));
        foreach (var f in FieldsOf(t)) Emit(Expression.Field(typed, f), f.FieldType, 0);
        body.Add(Expression.Empty());
        return Expression.Lambda<PackFields>(Expression.Block([typed], body), p, o, depth).Compile();
    }
}
