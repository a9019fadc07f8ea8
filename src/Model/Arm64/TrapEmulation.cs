using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.Arm64.TrapState, Kvmspec.Model.Arm64.TrapTrigger, Kvmspec.Model.Arm64.Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.Arm64.TrapState, Kvmspec.Model.Arm64.TrapTrigger, Kvmspec.Model.Arm64.Ctx>;

namespace Kvmspec.Model.Arm64;

/// <summary>TrapEmulation: a trapped instruction's life, from the trap to its retirement (PC and
/// step state advanced) or its abort (exception injected, PC not advanced).</summary>
/// <remarks>
/// Sources: arch/arm64/kvm/mmio.c (io_mem_abort, kvm_handle_mmio_return), hyp/include/hyp/adjust_pc.h
/// and hyp/exception.c (kvm_skip_instr, __kvm_adjust_pc, kvm_inject_exception), kvm_emulate.h
/// (kvm_incr_pc, kvm_pend_exception), guest.c (__kvm_arm_vcpu_set_events → kvm_inject_dabt),
/// inject_fault.c. SIMPLIFICATION: the only exception KVM injects here is the synchronous external
/// data abort userspace asks for; vSError injection is the hardware's HCR_EL2.VSE.
/// </remarks>
public static class TrapEmulation
{
    private static readonly ImmutableArray<TrapState> Any = [];
    private static ImmutableArray<TrapState> In(params TrapState[] s) => [.. s];

    private static R Row(ImmutableArray<TrapState> from, TrapTrigger t, Guard<Ctx> g, TrapState? to, string source, params Effect<Ctx>[] fx) =>
        new(from, t, g, [.. fx], to, source);

    public static readonly M Machine = new()
    {
        Name = "TrapEmulation",
        Summary = "A trapped instruction's life: emulated in the kernel or by the VMM, then retired (PC and step state advanced) or aborted.",
        InitialState = TrapState.Idle,
        Get = c => c.S.Trap,
        Set = (c, s) => c.With(v => v with { Trap = s }),
        Rows =
        [
            Row(In(TrapState.Idle), TrapTrigger.emulated, Guard<Ctx>.Of(ImmediateDesign), TrapState.Idle, "kvm_emulate.h kvm_skip_instr (before v5.11)", Effect<Ctx>.Of(retire_by_kvm), Effect<Ctx>.Of(kvm_skip_instr)),
            Row(In(TrapState.Idle), TrapTrigger.emulated, Guard<Ctx>.Always, TrapState.IncrementPending, "kvm_emulate.h kvm_incr_pc (v5.11+)", Effect<Ctx>.Of(retire_by_kvm)),

            Row(In(TrapState.Idle), TrapTrigger.io_mem_abort_user, Guard<Ctx>.Of(SkipsAtDecode), TrapState.AwaitingMmio, "mmio.c decode_hsr skipped the instruction (v4.2-v4.20)", Effect<Ctx>.Of(kvm_skip_instr), Effect<Ctx>.Of(exit_mmio)),
            Row(In(TrapState.Idle), TrapTrigger.io_mem_abort_user, Guard<Ctx>.Always, TrapState.AwaitingMmio, "mmio.c io_mem_abort: KVM_EXIT_MMIO, mmio_needed = 1", Effect<Ctx>.Of(exit_mmio)),
            Row(In(TrapState.Idle), TrapTrigger.io_mem_abort_nisv, Guard<Ctx>.Of(NisvToUserEnabled), TrapState.AwaitingNisv, "mmio.c io_mem_abort: KVM_EXIT_ARM_NISV (v5.5+, cap 177)", Effect<Ctx>.Of(exit_nisv)),
            Row(In(TrapState.Idle), TrapTrigger.io_mem_abort_nisv, Guard<Ctx>.Always, TrapState.Idle, "mmio.c io_mem_abort: -ENOSYS without a valid syndrome", Effect<Ctx>.Of(fail_enosys)),

            Row(Any, TrapTrigger.kvm_handle_mmio_return, Guard<Ctx>.Of(NothingToComplete), null, "mmio.c kvm_handle_mmio_return: nothing pending"),
            Row(In(TrapState.ExceptionPending), TrapTrigger.kvm_handle_mmio_return, Guard<Ctx>.Of(SkipsAbortedAccess), null, "e735a5da6442: don't retire an aborted MMIO instruction (mmio_needed stays set)", Effect<Ctx>.Of(note_not_retired)),
            Row(In(TrapState.ExceptionPending), TrapTrigger.kvm_handle_mmio_return, Guard<Ctx>.Always, TrapState.ExceptionCorrupted, "v5.11-v6.12: Rt written, kvm_incr_pc() sets INCREMENT_PC over the pending abort", Effect<Ctx>.Of(complete_access), Effect<Ctx>.Of(retire_completion_pc_kept), Effect<Ctx>.Of(incr_pc_over_exception)),
            Row(Any, TrapTrigger.kvm_handle_mmio_return, Guard<Ctx>.Of(SkipsAtDecode), TrapState.Idle, "v4.2-v4.20: the PC was already advanced at decode; write Rt", Effect<Ctx>.Of(complete_access), Effect<Ctx>.Of(retire_completion_at_decode_pc)),
            Row(Any, TrapTrigger.kvm_handle_mmio_return, Guard<Ctx>.Of(ImmediateDesign), TrapState.Idle, "kvm_handle_mmio_return: write Rt, kvm_skip_instr (v5.0-v5.10)", Effect<Ctx>.Of(complete_access), Effect<Ctx>.Of(retire_completion), Effect<Ctx>.Of(kvm_skip_instr)),
            Row(Any, TrapTrigger.kvm_handle_mmio_return, Guard<Ctx>.Always, TrapState.IncrementPending, "kvm_handle_mmio_return: write Rt, kvm_incr_pc (v5.11+)", Effect<Ctx>.Of(complete_access), Effect<Ctx>.Of(retire_completion)),

            Row(Any, TrapTrigger.ext_dabt_pending, Guard<Ctx>.Of(ExtDabtUnsupported), null, "before v5.5 there is no ext_dabt_pending (-EINVAL)", Effect<Ctx>.Of(reject_einval)),
            Row(In(TrapState.AwaitingNisv), TrapTrigger.ext_dabt_pending, Guard<Ctx>.Of(ImmediateDesign), TrapState.Idle, "v5.5-v5.10 kvm_inject_dabt: the abort is delivered at once", Effect<Ctx>.Of(accept), Effect<Ctx>.Of(inject_dabt_now)),
            Row(Any, TrapTrigger.ext_dabt_pending, Guard<Ctx>.Of(ImmediateDesign), null, "v5.5-v5.10 kvm_inject_dabt: delivered at once (whatever the exit); mmio_needed stays set", Effect<Ctx>.Of(accept), Effect<Ctx>.Of(inject_dabt_now)),
            Row(Any, TrapTrigger.ext_dabt_pending, Guard<Ctx>.Always, TrapState.ExceptionPending, "v5.11+ kvm_pend_exception(EXCEPT_AA64_EL1_SYNC); writing EXCEPT_MASK clears INCREMENT_PC", Effect<Ctx>.Of(accept), Effect<Ctx>.Of(pend_dabt)),

            Row(In(TrapState.AwaitingNisv), TrapTrigger.vmm_emulate, Guard<Ctx>.Always, TrapState.Idle, "api.rst KVM_EXIT_ARM_NISV: userspace emulates the access, Rt and PC", Effect<Ctx>.Of(vmm_completes_access)),

            Row(In(TrapState.IncrementPending), TrapTrigger.__kvm_adjust_pc, Guard<Ctx>.Always, TrapState.Idle, "hyp/exception.c __kvm_adjust_pc: INCREMENT_PC → kvm_skip_instr", Effect<Ctx>.Of(kvm_skip_instr)),
            Row(In(TrapState.ExceptionPending), TrapTrigger.__kvm_adjust_pc, Guard<Ctx>.Always, TrapState.Idle, "hyp/exception.c __kvm_adjust_pc: PENDING_EXCEPTION → kvm_inject_exception", Effect<Ctx>.Of(kvm_inject_exception)),
            Row(In(TrapState.ExceptionCorrupted), TrapTrigger.__kvm_adjust_pc, Guard<Ctx>.Always, TrapState.Idle, "kvm_inject_exception ignores EXCEPT_AA64_EL1_IRQ: the abort is dropped", Effect<Ctx>.Of(drop_exception)),
        ],
        Ignore =
        [
            new(In(TrapState.Idle, TrapState.AwaitingMmio, TrapState.AwaitingNisv), TrapTrigger.__kvm_adjust_pc, "no INCREMENT_PC or PENDING_EXCEPTION flag set"),
            new(In(TrapState.Idle, TrapState.AwaitingMmio, TrapState.IncrementPending, TrapState.ExceptionPending, TrapState.ExceptionCorrupted), TrapTrigger.vmm_emulate, "nothing to emulate: no KVM_EXIT_ARM_NISV is pending"),
            new(In(TrapState.AwaitingMmio, TrapState.AwaitingNisv, TrapState.IncrementPending, TrapState.ExceptionPending, TrapState.ExceptionCorrupted), TrapTrigger.emulated, "cannot occur: flags are resolved at every guest entry, so traps happen in Idle"),
            new(In(TrapState.AwaitingMmio, TrapState.AwaitingNisv, TrapState.IncrementPending, TrapState.ExceptionPending, TrapState.ExceptionCorrupted), TrapTrigger.io_mem_abort_user, "cannot occur: traps happen in Idle"),
            new(In(TrapState.AwaitingMmio, TrapState.AwaitingNisv, TrapState.IncrementPending, TrapState.ExceptionPending, TrapState.ExceptionCorrupted), TrapTrigger.io_mem_abort_nisv, "cannot occur: traps happen in Idle"),
        ],
    };

    // ---- guards ----
    public static bool ImmediateDesign(Ctx c) => c.V.__kvm_adjust_pc == AdjustPc.Immediate;
    public static bool SkipsAtDecode(Ctx c) => c.V.io_mem_abort == MmioDecode.SkipAtDecode;
    public static bool NisvToUserEnabled(Ctx c) => c.V.NisvToUser && c.S.return_nisv_io_abort_to_user;
    public static bool ExtDabtUnsupported(Ctx c) => c.V.kvm_inject_dabt == ExtDabt.Unsupported;
    public static bool SkipsAbortedAccess(Ctx c) => c.V.kvm_handle_mmio_return == MmioReturn.NotWhenAbortPending;

    /// <summary>kvm_handle_mmio_return() does nothing unless kvm_run.exit_reason is still
    /// KVM_EXIT_MMIO and (from v5.3) mmio_needed is set.</summary>
    public static bool NothingToComplete(Ctx c) =>
        c.S.exit_reason != KvmExitReason.KVM_EXIT_MMIO || c.S.Mmio is null
        || (c.V.kvm_handle_mmio_return != MmioReturn.WhileExitReasonMmio && !c.S.mmio_needed);

    // ---- effects ----
    /// <summary>kvm_skip_instr(): PC += 4, and from v5.0 SPSR.SS := 0 ("advance the singlestep state machine").</summary>
    public static Ctx kvm_skip_instr(Ctx c)
    {
        bool clearSS = c.V.kvm_skip_instr == SkipInstr.PcAndSS;
        var c2 = c.With(s => s with
        {
            PC = s.PC + Instruction.Length,
            PSTATE = clearSS ? s.PSTATE with { SS = false } : s.PSTATE,
            DEBUG_INST_SKIP = c.V.kvm_arm_setup_debug == SetupDebug.InstSkipFlag || s.DEBUG_INST_SKIP,
        });
        return c2.Kvm($"kvm_skip_instr: PC 0x{c.S.PC:X} -> 0x{c2.S.PC:X}{(clearSS ? ", SPSR.SS := 0" : "")}{(c.V.kvm_arm_setup_debug == SetupDebug.InstSkipFlag ? ", DEBUG_INST_SKIP := 1" : "")}");
    }

    /// <summary>The instruction's effects are done: it retires (the PC moves now or at the next __kvm_adjust_pc).</summary>
    public static Ctx retire_by_kvm(Ctx c)
    {
        var cause = c.S.Cause!.Value;
        return c.Emit(new Retired(cause.Pc, cause.Pc + Instruction.Length, RetiredBy.Kvm, cause.Insn.Mnemonic));
    }

    public static Ctx exit_mmio(Ctx c)
    {
        var cause = c.S.Cause!.Value;
        bool write = cause.Insn.Kind == InstructionKind.MmioStoreUser;
        var payload = new MmioPayload(GuestProgram.MmioAddr, 8, write, write ? c.S.X0 : 0);
        return c.With(s => s with { mmio_needed = true, Mmio = cause, exit_reason = KvmExitReason.KVM_EXIT_MMIO, Return = new PendingReturn(KvmExitReason.KVM_EXIT_MMIO, payload, null) });
    }

    public static Ctx exit_nisv(Ctx c) =>
        c.With(s => s with
        {
            Mmio = s.Cause,
            exit_reason = KvmExitReason.KVM_EXIT_ARM_NISV,
            Return = new PendingReturn(KvmExitReason.KVM_EXIT_ARM_NISV, new NisvPayload(s.Cause!.Value.Esr.ISS & 0x7F, GuestProgram.MmioAddr), null),
        });

    public static Ctx fail_enosys(Ctx c) =>
        c.With(s => s with { Return = new PendingReturn(null, null, Errno.ENOSYS) })
         .Kvm("io_mem_abort: data abort outside memslots with no valid syndrome info: -ENOSYS");

    /// <summary>kvm_handle_mmio_return(): clear mmio_needed, write Rt for a load.</summary>
    public static Ctx complete_access(Ctx c)
    {
        bool load = c.S.Mmio!.Value.Insn.Kind != InstructionKind.MmioStoreUser;
        return c.With(s => s with { mmio_needed = false, X0 = load ? s.mmio_data : s.X0 });
    }

    /// <summary>The retirement of the pending access by KVM, from <paramref name="pc"/> to
    /// <paramref name="next"/>; a load carries the data written to Rt.</summary>
    private static Retired Completion(Ctx c, ulong pc, ulong next)
    {
        var m = c.S.Mmio!.Value;
        bool load = m.Insn.Kind != InstructionKind.MmioStoreUser;
        return new Retired(pc, next, RetiredBy.Kvm, m.Insn.Mnemonic, Completion: true, Data: load ? c.S.mmio_data : null);
    }

    public static Ctx retire_completion(Ctx c) => c.Emit(Completion(c, c.S.PC, c.S.PC + Instruction.Length));

    /// <summary>v5.11-v6.12: Rt is written but neither the PC advance nor the abort will happen.</summary>
    public static Ctx retire_completion_pc_kept(Ctx c) => c.Emit(Completion(c, c.S.PC, c.S.PC));

    /// <summary>Before v5.0 the PC moved at decode; a second completion only rewrites Rt with the same data.</summary>
    public static Ctx retire_completion_at_decode_pc(Ctx c)
    {
        var m = c.S.Mmio!.Value;
        if (c.S.PC != m.Pc + Instruction.Length) return c.Kvm("kvm_handle_mmio_return: Rt rewritten (no visible change)");
        return c.Emit(Completion(c, m.Pc, m.Pc + Instruction.Length)).With(s => s with { Mmio = null });
    }

    public static Ctx note_not_retired(Ctx c) => c.Kvm("kvm_handle_mmio_return: a synchronous exception is pending, the access is not retired (mmio_needed stays 1)");

    public static Ctx incr_pc_over_exception(Ctx c) =>
        c.Kvm("kvm_incr_pc with PENDING_EXCEPTION set: INCREMENT_PC shares bit 1 of EXCEPT_MASK, EXCEPT_AA64_EL1_SYNC becomes EXCEPT_AA64_EL1_IRQ");

    /// <summary>KVM_SET_VCPU_EVENTS fails: this version has no ext_dabt_pending.</summary>
    public static Ctx reject_einval(Ctx c) => c.Emit(((SetVcpuEvents)c.Input!) with { Error = Errno.EINVAL });

    /// <summary>KVM_SET_VCPU_EVENTS succeeds. api.rst makes ext_dabt_pending valid only right after
    /// KVM_EXIT_MMIO or KVM_EXIT_ARM_NISV, but __kvm_arm_vcpu_set_events() does not check.</summary>
    public static Ctx accept(Ctx c) => c.Emit(c.Input!);

    /// <summary>Pre-v5.11 kvm_inject_dabt(): enter_exception64() rewrites PC and PSTATE on the spot.</summary>
    public static Ctx inject_dabt_now(Ctx c) =>
        Cpu.TakeToEl1(c.Kvm("kvm_inject_dabt: injected now (PC := vector)"), VectorOffset.CurrentSpxSync,
            ESR_ELx.DataAbort(false, false, false, ESR_ELx.DFSC_SEA), c.S.PC)
         .With(s => s with { exit_reason = s.exit_reason == KvmExitReason.KVM_EXIT_ARM_NISV ? KvmExitReason.KVM_EXIT_UNKNOWN : s.exit_reason });

    public static Ctx pend_dabt(Ctx c) => c.Kvm("kvm_inject_dabt: PENDING_EXCEPTION, EXCEPT_AA64_EL1_SYNC");

    /// <summary>kvm_inject_exception() from __kvm_adjust_pc(): enter_exception64() for the pending abort.</summary>
    public static Ctx kvm_inject_exception(Ctx c) =>
        Cpu.TakeToEl1(c.Kvm("__kvm_adjust_pc: inject the pending synchronous external abort"), VectorOffset.CurrentSpxSync,
            ESR_ELx.DataAbort(false, false, false, ESR_ELx.DFSC_SEA), c.S.PC);

    public static Ctx drop_exception(Ctx c) =>
        c.Kvm("__kvm_adjust_pc: EXCEPT_AA64_EL1_IRQ is not injected (silently ignored); the abort is lost and the PC does not move");

    /// <summary>The VMM emulates the whole no-ISV instruction (api.rst KVM_EXIT_ARM_NISV): Rt, the PC, and,
    /// as the architecture does for any completed instruction, SSAdvance() on the PSTATE it can see
    /// with the guest's MDSCR_EL1 (KVM_GET/SET_ONE_REG). The host's own step state is hidden in KVM
    /// and the VMM cannot advance it (STEP-ONE:vmm-emulated).</summary>
    public static Ctx vmm_completes_access(Ctx c)
    {
        var pc = c.S.PC;
        var m = c.S.Mmio!.Value;
        return c.With(s => s with { PC = pc + Instruction.Length, X0 = 0x77, PSTATE = SoftwareStep.SSAdvance(s.MDSCR_EL1, s.PSTATE) })
                .Emit(new Retired(pc, pc + Instruction.Length, RetiredBy.Vmm, m.Insn.Mnemonic, Completion: true, Data: 0x77));
    }
}
