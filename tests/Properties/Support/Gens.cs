using FsCheck;
using FsCheck.Fluent;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Properties.Support;

/// <summary>FsCheck generators over the model's own: realistic scripts from reset (random guest
/// programs, VMM actions and interrupt arrivals), shrunk by the model's shrinker, and reachable
/// vCPU states (random walks of a variant from reset).</summary>
public static class Gens
{
    /// <summary>Scripts: FsCheck picks the seed and the size; <see cref="ScriptGenerator"/> builds the script.</summary>
    public static readonly Arbitrary<Script> Scripts = Arb.From(
        Gen.Sized(size => Gen.Choose(0, int.MaxValue).Select(seed => ScriptGenerator.Generate(new Rng((ulong)seed), Math.Max(4, size)))),
        s => Shrinker.Candidates(s));

    /// <summary>Guest programs of 2-7 instructions from <see cref="ScriptGenerator.Program"/>, shrunk by dropping instructions.</summary>
    public static readonly Arbitrary<GuestProgram> Programs = Arb.From(
        Gen.Choose(0, int.MaxValue).Select(seed => { var r = new Rng((ulong)seed); return ScriptGenerator.Program(r, 2 + r.Below(6)); }),
        p => Enumerable.Range(0, p.Body.Length).Where(_ => p.Body.Length > 1).Select(i => new GuestProgram(p.Body.RemoveAt(i))));

    /// <summary>vCPU states reachable from reset under <paramref name="v"/>, with the variant's guest program.</summary>
    public static Arbitrary<(Script Script, Vcpu State)> ReachableStates(Variant v) => Arb.From(
        Scripts.Generator.Select(s => (s, Simulator.Execute(v, s).Final)));

    /// <summary>Any architectural PSTATE of an AArch64 guest at EL0 or EL1.</summary>
    public static readonly Arbitrary<PSTATE> Pstates = Arb.From(
        from ss in ArbMap.Default.GeneratorFor<bool>()
        from d in ArbMap.Default.GeneratorFor<bool>()
        from a in ArbMap.Default.GeneratorFor<bool>()
        from i in ArbMap.Default.GeneratorFor<bool>()
        from el in Gen.Elements(ExceptionLevel.EL0, ExceptionLevel.EL1)
        select new PSTATE(ss, d, a, i, el));

    public static readonly Arbitrary<MDSCR_EL1> Mdscrs = Arb.From(
        from ss in ArbMap.Default.GeneratorFor<bool>()
        from kde in ArbMap.Default.GeneratorFor<bool>()
        from mde in ArbMap.Default.GeneratorFor<bool>()
        select new MDSCR_EL1(ss, kde, mde));
}
