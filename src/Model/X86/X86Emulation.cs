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
/// condition. [I from the writeback's code path]
/// String IN (REP INSB, DF=0, byte size): emulate.c pio_in_emulated() refills the emulator's read
/// cache (ctxt->io_read, 1024 bytes) with n = min(bytes to the end of RDI's page, 1024 / size, RCX)
/// elements in one KVM_EXIT_IO (kvm_run->io.count = n; x86.c emulator_pio_in() →
/// __emulator_pio_in(), vcpu->arch.pio.count = n; complete_userspace_io := complete_emulated_pio).
/// On re-entry complete_emulated_pio() → complete_emulated_io() re-runs the emulator
/// (EMULTYPE_NO_DECODE) with the registers as they are now (KVM_SET_REGS sets
/// emulate_regs_need_sync_from_vcpu, so a changed RCX is re-read): pio_in_emulated() computes n again
/// from the new RCX, emulator_pio_in_emulated() copies the pio.count elements userspace supplied
/// (complete_emulator_pio_in(); "KVM doesn't support modifying the rep count"), and the REP
/// writeback stores the n elements at RDI and moves RCX and RDI by n (x86_emulate_insn(): the
/// read-ahead path consumes the whole cache at once, dst.count = n). With RCX still non-zero the
/// emulator skips the RIP writeback ("goto done"), so the guest re-enters at the same RIP,
/// re-executes REP INSB and the next batch exits; at RCX = 0 RIP moves past the instruction.</remarks>
public static class X86Emulation
{
    private static ImmutableArray<X86TrapState> In(params X86TrapState[] s) => [.. s];
    private static Effect<X86Ctx> E(Func<X86Ctx, X86Ctx> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Effect<X86Ctx>.Of(f, n);
    private static Guard<X86Ctx> G(Func<X86Ctx, bool> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Guard<X86Ctx>.Of(f, n);
    private static R Row(ImmutableArray<X86TrapState> from, X86TrapTrigger t, Guard<X86Ctx> g, X86TrapState? to, string source, params Effect<X86Ctx>[] fx) => new(from, t, g, [.. fx], to, source);
    private static readonly ImmutableArray<X86TrapState> Idle = [X86TrapState.Idle];
    private static readonly ImmutableArray<X86TrapState> Awaiting = [X86TrapState.AwaitingIo, X86TrapState.AwaitingMmio, X86TrapState.AwaitingStringIo];

    public const ushort Port = X86Instruction.DefaultPort;
    /// <summary>PAGE_SIZE, for the read cache's "bytes to the end of the page".</summary>
    public const ulong PageSize = 4096;
    /// <summary>sizeof(ctxt->io_read.data): the emulator's read-ahead cache (struct read_cache).</summary>
    public const ulong ReadCacheBytes = 1024;
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
            Row(Idle, X86TrapTrigger.pio_in_emulated, G(RepCountZero), X86TrapState.Idle, "x86_emulate_insn: a REP string instruction with RCX = 0 completes without an access", E(complete_rep_count_zero)),
            Row(Idle, X86TrapTrigger.pio_in_emulated, Guard<X86Ctx>.Always, X86TrapState.AwaitingStringIo, "emulate.c pio_in_emulated: refill the read cache, n = min(to page end, 1024/size, RCX) → KVM_EXIT_IO, io.count = n; complete_userspace_io := complete_emulated_pio", E(exit_string_io)),
            Row(In(X86TrapState.AwaitingStringIo), X86TrapTrigger.complete_userspace_io, Guard<X86Ctx>.Always, X86TrapState.Idle, "complete_emulated_pio → the emulator consumes the batch (RCX, RDI by n); RIP only at RCX = 0", E(complete_string_io)),
        ],
        Ignore =
        [
            new(In(X86TrapState.Idle), X86TrapTrigger.complete_userspace_io, "nothing pending: complete_userspace_io is NULL"),
            new(Awaiting, X86TrapTrigger.emulate_in_kernel, "the guest does not run before the access completes"),
            new(Awaiting, X86TrapTrigger.x86_emulate_instruction, "the guest does not run before the access completes"),
            new(Awaiting, X86TrapTrigger.fast_pio, "the guest does not run before the access completes"),
            new(Awaiting, X86TrapTrigger.emulated_mmio, "the guest does not run before the access completes"),
            new(Awaiting, X86TrapTrigger.pio_in_emulated, "the guest does not run before the access completes"),
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
    public static X86Ctx writeback(X86Ctx c) => Writeback(c, null);

    /// <summary>The writeback with RIP left at <paramref name="rip"/> when given (a REP string
    /// instruction with iterations left: x86_emulate_insn skips the RIP update, but
    /// x86_emulate_instruction still writes RIP back and checks the step).</summary>
    public static X86Ctx Writeback(X86Ctx c, ulong? rip)
    {
        if (c.S.Unhandled is not null) return c;
        var cause = c.S.Access ?? Cause(c);
        ulong eflags = cause.Eflags ?? c.GetRflags();
        bool ctxtTf = cause.Eflags is null ? Rflags.Tf(eflags) : cause.CtxtTf;
        var next = rip ?? cause.Rip + (ulong)cause.Insn!.Length;
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
        var p = new IoPayload(cause.Insn.Port, 1, isOut, 1, isOut ? c.S.Rax & 0xFF : 0);
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

    // ---- string IN: pio_in_emulated and the REP writeback ----
    public static bool RepCountZero(X86Ctx c) => c.S.Rcx == 0;

    /// <summary>pio_in_emulated()'s refill: n = min(bytes to the end of RDI's page (DF=0),
    /// sizeof(rc->data) / size, RCX), at least 1.</summary>
    public static ulong Batch(X86Vcpu s)
    {
        ulong inPage = PageSize - (s.Rdi % PageSize);
        return Math.Max(1, Math.Min(Math.Min(inPage, ReadCacheBytes), s.Rcx));
    }

    /// <summary>A REP INSB whose count is already 0 (SIMPLIFICATION: whether VMX takes the I/O exit
    /// for a zero count is not modelled; KVM's emulator ends it without an access). [I]</summary>
    public static X86Ctx complete_rep_count_zero(X86Ctx c)
    {
        var cause = c.S.Access ?? Cause(c);
        var next = cause.Rip + (ulong)cause.Insn!.Length;
        return Writeback(c.Emit(new Retired(cause.Rip, next, RetiredBy.Kvm, cause.Insn.Text)), null);
    }

    public static X86Ctx exit_string_io(X86Ctx c)
    {
        var cause = Cause(c);
        uint n = (uint)Batch(c.S);
        var p = new IoPayload(cause.Insn!.Port, 1, false, n, 0);
        return c.With(s => s with { Access = cause, pio_count = n, Return = new PendingReturn(KvmExitReason.KVM_EXIT_IO, p, null) })
                .Kvm($"pio_in_emulated: read cache refill, io.count = {n} (RCX=0x{c.S.Rcx:X}, RDI=0x{c.S.Rdi:X})");
    }

    /// <summary>complete_emulated_pio(): the emulator runs again on the registers as they are now;
    /// the batch is recomputed from RCX and consumed whole: pio.count elements are the VMM's data,
    /// any more are what the read cache held before (the VMM changed RCX). RCX and RDI move by the
    /// batch; RIP moves only when RCX reaches 0.</summary>
    public static X86Ctx complete_string_io(X86Ctx c)
    {
        var a = c.S.Access!.Value;
        var s0 = c.S;
        if (s0.Rcx == 0)
        {
            // The REP termination check comes first: nothing is consumed. SIMPLIFICATION: the
            // leftover vcpu->arch.pio.count (a WARN on the next KVM_RUN) is not modelled.
            return complete_rep_count_zero(c.With(s => s with { pio_count = 0 }));
        }
        ulong n = Batch(s0);
        ulong fromVmm = Math.Min(n, s0.pio_count);
        ulong rcx = s0.Rcx - n;
        var next = rcx == 0 ? a.Rip + (ulong)a.Insn!.Length : a.Rip;
        c = c.Emit(new Retired(a.Rip, next, RetiredBy.Kvm, $"{a.Insn!.Text} ({n} of {s0.Rcx})", Completion: true, Data: s0.io_data & 0xFF))
             .With(s => s with
             {
                 Rcx = rcx,
                 Rdi = s.Rdi + n,
                 pio_count = 0,
                 StringInBytes = s.StringInBytes + n,
                 StringInStaleBytes = s.StringInStaleBytes + (n - fromVmm),
             });
        if (fromVmm < n) c = c.Kvm($"complete_emulator_pio_in: {fromVmm} bytes from userspace, {n - fromVmm} from the read cache (RCX was changed)");
        return Writeback(c, next);
    }
}
