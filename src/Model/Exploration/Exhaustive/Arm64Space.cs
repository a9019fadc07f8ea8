using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The arm64 composed vCPU of one variant as an exhaustive state space: every guest program
/// of 1..L instructions over <see cref="Instructions"/>, driven by every sequence of
/// <see cref="Alphabet"/> actions.</summary>
/// <remarks>The instruction and action alphabets are the random generator's
/// (<see cref="ScriptGenerator"/>) with one operand each where the generator draws one: the
/// breakpoint, PC and hardware-breakpoint addresses are the first instruction's, the MMIO data 0x42.
/// Left out: a migration whose source is the previous release (the random probe covers it: it
/// changes the release the whole script starts on).</remarks>
public static class Arm64Space
{
    /// <summary>The guest instructions programs are built from.</summary>
    public static readonly IReadOnlyList<Instruction> Instructions =
    [
        new(InstructionKind.Nop), new(InstructionKind.Branch, GuestProgram.AddressOf(0)),
        new(InstructionKind.LoadRam, Stage2Fault: true), new(InstructionKind.StoreRam, Stage2Fault: true, Value: 0x78),
        new(InstructionKind.MmioLoadKernel), new(InstructionKind.MmioLoadUser), new(InstructionKind.MmioStoreUser), new(InstructionKind.MmioNoIsv),
        new(InstructionKind.MsrDbgbvr), new(InstructionKind.MrsDbgbvr), new(InstructionKind.MrsMdscr),
        new(InstructionKind.CondFailedA32), new(InstructionKind.GicV2CpuIfFault), new(InstructionKind.Hvc), new(InstructionKind.Svc),
        new(InstructionKind.Brk), new(InstructionKind.Wfi), new(InstructionKind.UnmaskSError),
        Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(SS: true, KDE: true, MDE: false).Encode()),
        Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(SS: false, KDE: true, MDE: true).Encode()),
        Instruction.Msr(SysReg.OSLAR_EL1, 1), Instruction.Msr(SysReg.OSLAR_EL1, 0),
        Instruction.Msr(SysReg.DBGBCR0_EL1, DBGBCR.El1(BreakpointType.AddressUnlinked).Encode()),
        Instruction.Msr(SysReg.DBGBVR0_EL1, GuestProgram.AddressOf(0)),
        Instruction.Mrs(SysReg.OSLSR_EL1), new(InstructionKind.DaifSetD), new(InstructionKind.DaifClrD),
    ];

    private const KvmGuestDebug Enable = KvmGuestDebug.KVM_GUESTDBG_ENABLE;

    /// <summary>The VMM and environment actions, the same in every state.</summary>
    public static readonly IReadOnlyList<Action> Alphabet =
    [
        Action.Of(new Run()), Action.Of(new Run(ImmediateExit: true)),
        Action.Of(new SetGuestDebug(Enable | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP)), Action.Of(new SetGuestDebug(Enable)),
        Action.Of(new SetGuestDebug(KvmGuestDebug.None)), Action.Of(new SetGuestDebug(Enable | KvmGuestDebug.KVM_GUESTDBG_USE_SW_BP)),
        Action.Of(new SetGuestDebug(Enable | KvmGuestDebug.KVM_GUESTDBG_USE_HW, GuestProgram.AddressOf(0))),
        Action.Of(new CompleteMmio(0x42)), Action.Of(new SetVcpuEvents(ExtDabtPending: true)), Action.Of(new SetVcpuEvents(ExtDabtPending: false, SErrorPending: true)),
        Action.Of(new GetOneReg(OneReg.PC, 0)), Action.Of(new GetOneReg(OneReg.PSTATE, 0)),
        Action.Of(new SetOneReg(OneReg.PC, GuestProgram.AddressOf(0))), Action.Of(new SetOneReg(OneReg.PSTATE, ScriptGenerator.GuestPstate)),
        Action.Of(new EnableCap(KvmCap.KVM_CAP_ARM_NISV_TO_USER)), Action.Of(new VmmEmulate()),
        Action.Of(new InterruptPending(IrqTarget.Guest)), Action.Of(new InterruptPending(IrqTarget.Host)), Action.Of(new SignalPending()),
        Action.Tick, new MigrateAction(),
    ];

    /// <summary>Every program of 1..<paramref name="maxLength"/> instructions, shortest first.</summary>
    public static IEnumerable<GuestProgram> Programs(int maxLength) =>
        Exhaustive.Programs.Of(Instructions, maxLength).Select(b => new GuestProgram([.. b]));

    /// <summary>What <see cref="Simulator.Execute"/> does before the first action: reset, and the VMM's first OS Lock read.</summary>
    public static Ctx Start(Variant v, GuestProgram p)
    {
        var c = Simulator.Reset(v, p);
        if (v.Lists(OneReg.OSLSR_EL1)) c = Simulator.Fire(c, RunTrigger.KVM_GET_ONE_REG, new GetOneReg(OneReg.OSLSR_EL1, 0));
        return c;
    }

    public static ModelSpace<Ctx> For(Variant v, int programLength)
    {
        var pstate = new Vcpu().PSTATE.Encode();
        var headers = new Dictionary<GuestProgram, TraceHeader>(ReferenceEqualityComparer.Instance);
        var programs = Programs(programLength).ToList();
        foreach (var p in programs)
            headers[p] = new Trace("arm64", Trace.FullProfile, $"kvmspec model {v.Id}", p, GuestProgram.Base, [], pstate).Header;
        var ids = programs.Select((p, i) => (p, i)).ToDictionary<(GuestProgram p, int i), GuestProgram, ulong>(x => x.p, x => (ulong)x.i, ReferenceEqualityComparer.Instance);
        var ops = new ModelOps<Ctx>(
            (c, a) => Simulator.Apply(c, a, v),
            Simulator.Settle,
            c => c.Out,
            c => c.S,
            c => (ids[c.P] << 1) | (Simulator.AwaitsCompletion(c) ? 1UL : 0),
            c => c.S.Unhandled,
            c => headers[c.P],
            Arm64Invariants.All);
        return new ModelSpace<Ctx>(ops, [.. programs.Select(p => Start(v, p))], _ => Alphabet, ModelSpace<Ctx>.SeedOf(v.Id));
    }

    /// <summary>The script a path stands for.</summary>
    public static Script ScriptOf(ModelSpace<Ctx> space, Path path)
    {
        var c = space.Initial[path.Initial].State;
        return new Script(c.P, [.. path.Actions.Select(a => space.Alphabet(c)[a])]);
    }
}

/// <summary>Enumerates programs over an instruction alphabet.</summary>
public static class Programs
{
    /// <summary>Every sequence of 1..<paramref name="maxLength"/> items, shortest first, in lexicographic order.</summary>
    public static IEnumerable<T[]> Of<T>(IReadOnlyList<T> items, int maxLength)
    {
        for (int len = 1; len <= maxLength; len++)
        {
            var idx = new int[len];
            while (true)
            {
                yield return [.. idx.Select(i => items[i])];
                int k = len - 1;
                while (k >= 0 && ++idx[k] == items.Count) idx[k--] = 0;
                if (k < 0) break;
            }
        }
    }
}
