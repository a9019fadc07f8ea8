using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.X86.X86TrapState, Kvmspec.Model.X86.X86TrapTrigger, Kvmspec.Model.X86.X86Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.X86.X86TrapState, Kvmspec.Model.X86.X86TrapTrigger, Kvmspec.Model.X86.X86Ctx>;

namespace Kvmspec.Model.X86;

/// <summary>X86Emulation: instructions KVM completes: in the kernel (CPUID, WRMSR, HLT, MOV DR,
/// with kvm_skip_emulated_instruction), through the instruction emulator (forced emulation and
/// MMIO, with the emulator's writeback), and port I/O and MMIO completed by the VMM on re-entry.</summary>
/// <remarks>Sources: x86.c kvm_skip_emulated_instruction(), x86_emulate_instruction() writeback
/// (RIP, then the step if r and (ctxt->tf or SINGLESTEP), then __kvm_set_rflags, then
/// toggle_interruptibility), kvm_fast_pio(), complete_fast_pio_in/out(), complete_emulated_mmio(),
/// kvm_emulate_cpuid(), kvm_emulate_halt(), handle_fastpath_set_msr_irqoff() (2024: a step after the
/// fast path exits to userspace), vmx.c handle_dr() (DR7.GD with USE_HW_BP → KVM_EXIT_DEBUG with
/// DR6.BD); 663f4c61b803, 5cc244a20b86, 384dea1c9183; api.rst "KVM_RUN" (completion on re-entry).
/// The emulator does not defer the step after an emulated MOV SS: its writeback has no such
/// condition. [I from the writeback's code path]</remarks>
public static class X86Emulation
{
    private static ImmutableArray<X86TrapState> In(params X86TrapState[] s) => [.. s];
    private static Effect<X86Ctx> E(Func<X86Ctx, X86Ctx> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Effect<X86Ctx>.Of(f, n);
    private static Guard<X86Ctx> G(Func<X86Ctx, bool> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Guard<X86Ctx>.Of(f, n);
    private static R Row(ImmutableArray<X86TrapState> from, X86TrapTrigger t, Guard<X86Ctx> g, X86TrapState? to, string source, params Effect<X86Ctx>[] fx) => new(from, t, g, [.. fx], to, source);
    private static readonly ImmutableArray<X86TrapState> Idle = [X86TrapState.Idle];

    public const ushort Port = 0x80;
    public const ulong MmioGpa = 0xFED00000;

    public static readonly M Machine = new()
    {
        Name = "X86Emulation",
        Summary = "x86 instructions KVM completes: in the kernel, in the emulator, or after the VMM's I/O or MMIO.",
        InitialState = X86TrapState.Idle,
        Get = c => c.S.Trap,
        Set = (c, s) => c.With(v => v with { Trap = s }),
        Rows =
        [
            Row(Idle, X86TrapTrigger.emulate_in_kernel, G(GeneralDetect), X86TrapState.Idle, "vmx.c handle_dr: DR7.GD with USE_HW_BP → KVM_EXIT_DEBUG, dr6 = DR6_BD | DR6_ACTIVE_LOW", E(exit_general_detect)),
            Row(Idle, X86TrapTrigger.emulate_in_kernel, Guard<X86Ctx>.Always, X86TrapState.Idle, "kvm_emulate_cpuid / handle_fastpath_set_msr_irqoff / kvm_emulate_halt / handle_dr, then kvm_skip_emulated_instruction", E(emulate_in_kernel), E(kvm_skip_emulated_instruction)),
            Row(Idle, X86TrapTrigger.x86_emulate_instruction, Guard<X86Ctx>.Always, X86TrapState.Idle, "x86_emulate_instruction: emulate, then writeback", E(emulate_forced), E(writeback)),
            Row(Idle, X86TrapTrigger.fast_pio, Guard<X86Ctx>.Always, X86TrapState.AwaitingIo, "kvm_fast_pio → KVM_EXIT_IO; complete_userspace_io := complete_fast_pio_*", E(exit_io)),
            Row(Idle, X86TrapTrigger.emulated_mmio, Guard<X86Ctx>.Always, X86TrapState.AwaitingMmio, "emulator_read_emulated → KVM_EXIT_MMIO; complete_userspace_io := complete_emulated_mmio", E(exit_mmio)),
            Row(In(X86TrapState.AwaitingIo), X86TrapTrigger.complete_userspace_io, Guard<X86Ctx>.Always, X86TrapState.Idle, "complete_fast_pio_in/out → kvm_skip_emulated_instruction", E(complete_pio), E(kvm_skip_emulated_instruction)),
            Row(In(X86TrapState.AwaitingMmio), X86TrapTrigger.complete_userspace_io, Guard<X86Ctx>.Always, X86TrapState.Idle, "complete_emulated_mmio → the emulator's writeback", E(complete_mmio), E(writeback)),
        ],
        Ignore =
        [
            new(In(X86TrapState.Idle), X86TrapTrigger.complete_userspace_io, "nothing pending: complete_userspace_io is NULL"),
            new(In(X86TrapState.AwaitingIo, X86TrapState.AwaitingMmio), X86TrapTrigger.emulate_in_kernel, "the guest does not run before the access completes"),
            new(In(X86TrapState.AwaitingIo, X86TrapState.AwaitingMmio), X86TrapTrigger.x86_emulate_instruction, "the guest does not run before the access completes"),
            new(In(X86TrapState.AwaitingIo, X86TrapState.AwaitingMmio), X86TrapTrigger.fast_pio, "the guest does not run before the access completes"),
            new(In(X86TrapState.AwaitingIo, X86TrapState.AwaitingMmio), X86TrapTrigger.emulated_mmio, "the guest does not run before the access completes"),
        ],
    };

    private static X86ExitCause Cause(X86Ctx c) => c.S.Cause!.Value;

    public static bool GeneralDetect(X86Ctx c) =>
        Cause(c).Insn!.Kind == X86InstructionKind.MovFromDr && Dr7.Gd(c.HwDr7) && c.Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP);

    public static X86Ctx exit_general_detect(X86Ctx c) =>
        X86GuestDebugMachine.ExitDebug(c, new X86DebugPayload(X86Program.DbVector, c.S.Rip, Dr6.BD | Dr6.ActiveLow, c.HwDr7));

    /// <summary>The effects of an intercepted instruction KVM emulates in the kernel (before the skip).</summary>
    public static X86Ctx emulate_in_kernel(X86Ctx c)
    {
        var cause = Cause(c);
        var ins = cause.Insn!;
        var next = cause.Rip + (ulong)ins.Length;
        c = c.Emit(new Retired(cause.Rip, next, RetiredBy.Kvm, ins.Text));
        return ins.Kind switch
        {
            X86InstructionKind.Hlt => c.With(s => s with { Halted = true }).Kvm("kvm_emulate_halt: the vCPU halts until an interrupt"),
            X86InstructionKind.MovFromDr => c.With(s => s with { Rax = 0 }).Kvm("handle_dr: RAX := DR0 (0)"),
            X86InstructionKind.Wrmsr => c.Kvm("handle_fastpath_set_msr_irqoff: IA32_TSC_DEADLINE written"),
            _ => c.Kvm("kvm_emulate_cpuid"),
        };
    }

    /// <summary>kvm_skip_emulated_instruction(): read the raw RFLAGS, advance RIP, clear the
    /// interrupt shadow, then the step if TF was set (6affcbedcac7+).</summary>
    public static X86Ctx kvm_skip_emulated_instruction(X86Ctx c)
    {
        if (c.S.Return is not null) return c;
        bool tf = c.S.TfSet;
        var cause = c.S.Access ?? Cause(c);
        var next = cause.Rip + (ulong)cause.Insn!.Length;
        c = c.With(s => s with { Rip = next, Access = null, Shadow = Shadow.None, DeferredStep = false });
        bool step = c.V.kvm_skip_emulated_instruction switch
        {
            SkipStep.RawTf => tf,
            SkipStep.RawTfOrSingleStep => tf || c.Stepping,
            _ => false,
        };
        return step ? X86GuestDebugMachine.Machine.Fire(c, X86DebugTrigger.do_singlestep, (x, w) => x.Unhandled(w)) : c;
    }

    /// <summary>A forced-emulation instruction, run by the emulator on RFLAGS as kvm_get_rflags() shows them.</summary>
    public static X86Ctx emulate_forced(X86Ctx c)
    {
        var cause = Cause(c);
        var ins = cause.Insn!;
        ulong eflags = c.GetRflags();
        var next = cause.Rip + (ulong)ins.Length;
        ulong? data = null;
        var shadow = Shadow.None;
        switch (ins.Kind)
        {
            case X86InstructionKind.Sti: shadow = X86Sdm.ShadowAfter(ins.Kind, Rflags.If(eflags)); eflags |= Rflags.IF; break;
            case X86InstructionKind.Cli: eflags &= ~Rflags.IF; break;
            case X86InstructionKind.MovSs: shadow = X86Sdm.ShadowAfter(ins.Kind, true, c.S.Shadow); break;
            case X86InstructionKind.Pushf: data = X86Sdm.PushfImage(eflags); break;
            case X86InstructionKind.Popf: eflags = (ins.Image & ~Rflags.RF) | Rflags.Fixed; data = eflags; break;
            case X86InstructionKind.Nop: break;
            default: return c.Unhandled($"the model's emulator does not run forced {ins.Kind}");
        }
        return c.Emit(new Retired(cause.Rip, next, RetiredBy.Kvm, ins.Text, Data: data))
                .With(s => s with { Access = null, Cause = cause with { Eflags = eflags, CtxtTf = Rflags.Tf(c.GetRflags()) }, Shadow = c.V.EmulatorShadow ? shadow : Shadow.None });
    }

    /// <summary>x86_emulate_instruction()'s writeback for a clean retirement: RIP, the step (per
    /// variant, only with r != 0: here always, the access having completed), __kvm_set_rflags.</summary>
    public static X86Ctx writeback(X86Ctx c)
    {
        if (c.S.Unhandled is not null) return c;
        var cause = c.S.Access ?? Cause(c);
        ulong eflags = cause.Eflags ?? c.GetRflags();
        bool ctxtTf = cause.Eflags is null ? Rflags.Tf(eflags) : cause.CtxtTf;
        var next = cause.Rip + (ulong)cause.Insn!.Length;
        var shadow = cause.Eflags is null ? Shadow.None : c.S.Shadow;
        c = c.With(s => s with { Rip = next, Access = null, DeferredStep = false });
        bool step = c.V.x86_emulate_instruction switch
        {
            EmulatorStep.GuestTfOnly => ctxtTf,
            EmulatorStep.GuestTfOrSingleStep => ctxtTf || c.Stepping,
            _ => false,
        };
        if (step) c = X86GuestDebugMachine.Machine.Fire(c, X86DebugTrigger.do_singlestep, (x, w) => x.Unhandled(w));
        c = c.SetRflags(eflags);
        return c.With(s => s with { Shadow = shadow });
    }

    public static X86Ctx exit_io(X86Ctx c)
    {
        var cause = Cause(c);
        bool isOut = cause.Insn!.Kind == X86InstructionKind.Out;
        var p = new IoPayload(Port, 1, isOut, 1, isOut ? c.S.Rax & 0xFF : 0);
        return c.With(s => s with { Access = cause, Return = new PendingReturn(KvmExitReason.KVM_EXIT_IO, p, null) });
    }

    public static X86Ctx exit_mmio(X86Ctx c)
    {
        var cause = Cause(c);
        return c.With(s => s with { Access = cause, Return = new PendingReturn(KvmExitReason.KVM_EXIT_MMIO, new MmioPayload(MmioGpa, 4, false, 0), null) });
    }

    public static X86Ctx complete_pio(X86Ctx c)
    {
        var a = c.S.Access!.Value;
        var next = a.Rip + (ulong)a.Insn!.Length;
        bool isIn = a.Insn.Kind == X86InstructionKind.In;
        ulong data = c.S.io_data & 0xFF;
        c = c.Emit(new Retired(a.Rip, next, RetiredBy.Kvm, a.Insn.Text, Completion: true, Data: isIn ? data : null));
        return isIn ? c.With(s => s with { Rax = (s.Rax & ~0xFFUL) | data }) : c;
    }

    public static X86Ctx complete_mmio(X86Ctx c)
    {
        var a = c.S.Access!.Value;
        var next = a.Rip + (ulong)a.Insn!.Length;
        return c.Emit(new Retired(a.Rip, next, RetiredBy.Kvm, a.Insn.Text, Completion: true, Data: c.S.io_data))
                .With(s => s with { Rax = s.io_data });
    }
}
