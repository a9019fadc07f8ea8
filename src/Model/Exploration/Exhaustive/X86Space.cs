using Kvmspec.Model.X86;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The x86 composed vCPU of one variant as an exhaustive state space: every guest program
/// of 1..L instructions over <see cref="Instructions"/>, driven by every sequence of the variant's
/// <see cref="Alphabet"/>.</summary>
/// <remarks>The alphabets are the random generator's (<see cref="X86ScriptGenerator"/>) with one
/// operand each where it draws one (the first instruction's address, data 0x42). A VMM whose
/// BLOCKIRQ habit is "sometimes" offers each KVM_SET_GUEST_DEBUG with and without it.</remarks>
public static class X86Space
{
    private static readonly ulong If = Rflags.Fixed | Rflags.IF;

    /// <summary>The guest instructions programs are built from.</summary>
    public static readonly IReadOnlyList<X86Instruction> Instructions =
    [
        new(X86InstructionKind.Nop), new(X86InstructionKind.Pushf),
        new(X86InstructionKind.Popf, If), new(X86InstructionKind.Popf, If | Rflags.TF),
        new(X86InstructionKind.Sti), new(X86InstructionKind.Cli), new(X86InstructionKind.MovSs), new(X86InstructionKind.Hlt),
        new(X86InstructionKind.Int3), new(X86InstructionKind.Icebp), new(X86InstructionKind.Syscall),
        new(X86InstructionKind.Iret, If), new(X86InstructionKind.Iret, If | Rflags.TF),
        new(X86InstructionKind.Out), new(X86InstructionKind.In), new(X86InstructionKind.Cpuid), new(X86InstructionKind.Wrmsr),
        new(X86InstructionKind.MmioLoad), new(X86InstructionKind.MovFromDr), new(X86InstructionKind.Store),
        new(X86InstructionKind.Nop, Forced: true), new(X86InstructionKind.Sti, Forced: true), new(X86InstructionKind.MovSs, Forced: true),
        new(X86InstructionKind.Popf, If | Rflags.TF, Forced: true),
    ];

    private const X86GuestDebug Enable = X86GuestDebug.KVM_GUESTDBG_ENABLE;
    private const X86GuestDebug HwBp = Enable | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP;

    /// <summary>The VMM and environment actions for variant <paramref name="v"/> and program <paramref name="p"/>.</summary>
    public static IReadOnlyList<Action> Alphabet(X86Variant v, X86Program p)
    {
        var debug = new List<(X86GuestDebug Control, ulong Dr7, ulong Dr0)>
        {
            (Enable | X86GuestDebug.KVM_GUESTDBG_SINGLESTEP, X86SetGuestDebug.Dr7Reset, 0),
            (Enable, X86SetGuestDebug.Dr7Reset, 0),
            (X86GuestDebug.None, X86SetGuestDebug.Dr7Reset, 0),
            (Enable | X86GuestDebug.KVM_GUESTDBG_USE_SW_BP, X86SetGuestDebug.Dr7Reset, 0),
            (HwBp, Dr7.Fixed | Dr7.G(0), p.AddressOf(0)),
            (HwBp, Dr7.Fixed | Dr7.G(0) | Dr7.Rw(0, Dr7.RwWrite) | Dr7.Len4(0), X86Program.DataAddr),
            (HwBp, Dr7.Fixed | Dr7.GD, 0),
            (Enable | X86GuestDebug.KVM_GUESTDBG_INJECT_DB, X86SetGuestDebug.Dr7Reset, 0),
            (Enable | X86GuestDebug.KVM_GUESTDBG_INJECT_BP, X86SetGuestDebug.Dr7Reset, 0),
        };
        var acts = new List<Action> { Action.Of(new Run()), Action.Of(new Run(ImmediateExit: true)) };
        foreach (var (control, dr7, dr0) in debug)
        {
            var with = v.VmmControl(control, () => true);
            var without = v.VmmControl(control, () => false);
            acts.Add(Action.Of(new X86SetGuestDebug(without, dr7, dr0)));
            if (with != without) acts.Add(Action.Of(new X86SetGuestDebug(with, dr7, dr0)));
        }
        acts.AddRange(
        [
            Action.Of(new CompleteIo(0x42)), Action.Of(new CompleteMmio(0x42)), Action.Of(new GetRegs(0, 0)),
            Action.Of(new SetRegs(p.AddressOf(0), X86Simulator.InitialRflags)),
            Action.Of(new InterruptPending(IrqTarget.Guest)), Action.Of(new InterruptPending(IrqTarget.Host)), Action.Of(new SignalPending()),
            Action.Tick,
        ]);
        return acts;
    }

    /// <summary>Every program of 1..<paramref name="maxLength"/> instructions, shortest first.</summary>
    public static IEnumerable<X86Program> Programs(int maxLength) =>
        Exhaustive.Programs.Of(Instructions, maxLength).Select(b => new X86Program([.. b]));

    public static ModelSpace<X86Ctx> For(X86Variant v, int programLength)
    {
        var programs = Programs(programLength).ToList();
        var header = new Trace("x86", Trace.FullProfile, $"kvmspec model {v.Label}", Spec.Arm64.GuestProgram.Of(), X86Program.Base, [], X86Simulator.InitialRflags).Header;
        var ids = programs.Select((p, i) => (p, i)).ToDictionary<(X86Program p, int i), X86Program, ulong>(x => x.p, x => (ulong)x.i, ReferenceEqualityComparer.Instance);
        var alphabets = programs.ToDictionary<X86Program, X86Program, IReadOnlyList<Action>>(p => p, p => Alphabet(v, p), ReferenceEqualityComparer.Instance);
        var ops = new ModelOps<X86Ctx>(
            X86Simulator.Apply,
            X86Simulator.Settle,
            c => c.Out,
            c => c.S,
            c => ids[c.P],
            c => c.S.Unhandled,
            _ => header,
            X86Invariants.All);
        return new ModelSpace<X86Ctx>(ops, [.. programs.Select(p => X86Simulator.Reset(v, p))], c => alphabets[c.P], ModelSpace<X86Ctx>.SeedOf(v.Label));
    }

    /// <summary>The script a path stands for.</summary>
    public static X86Script ScriptOf(ModelSpace<X86Ctx> space, Path path)
    {
        var c = space.Initial[path.Initial].State;
        return new X86Script(c.P, [.. path.Actions.Select(a => space.Alphabet(c)[a])]);
    }
}
