/*
 * arm64_step.pml: the arm64/v4.15 host single-step machine of kvmspec, at a fixed bound, for SPIN.
 *
 * The twin of bench/Bench/SpinTwin.cs (same state, same transitions: the state counts must be equal)
 * and an abstraction of the C# model (src/Model/Arm64, variant arm64/v4.15 in Arm64Variants.cs);
 * tests/Properties/SpinTwinTests.cs checks the abstraction against the real simulator.
 *
 * Bound: a guest program of L instructions (chosen by the first L transitions), then at most D VMM
 * actions (KVM_SET_GUEST_DEBUG on/off, KVM_RUN, KVM_RUN with immediate_exit, the MMIO data write).
 * A KVM_RUN is one transition: the run loop goes on until KVM_RUN returns, as Simulator.Settle does
 * (with its kick after FUEL automatic steps).
 *
 * One process, one d_step per transition, the run loop's scratch in hidden variables: SPIN's
 * "states stored" is then exactly the number of distinct (global variables) states, which is what
 * the C# twin's breadth-first search counts.
 *
 * Run: spin -DL=5 -DD=8 -a arm64_step.pml && gcc -O2 -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -c0
 */
#ifndef L
#define L 5
#endif
#ifndef D
#define D 8
#endif
#define FUEL 48             /* Simulator.Fuel */

/* Instructions (Spec.Arm64.InstructionKind); index L is GuestProgram.LoopBranch: B to index 0. */
#define NOP        0        /* InstructionKind.Nop: retires natively */
#define MMIO_USER  1        /* InstructionKind.MmioLoadUser: KVM_EXIT_MMIO, the VMM supplies the data */
#define MMIO_KERN  2        /* InstructionKind.MmioLoadKernel: emulated by KVM (vGIC), skipped */
#define HVC        3        /* InstructionKind.Hvc: completes in hardware, handled by KVM (PSCI) */

/* kvm_run.exit_reason (Vcpu.exit_reason) */
#define ER_UNKNOWN 0
#define ER_MMIO    1
#define ER_DEBUG   2
#define ER_INTR    3

/* X0 (Vcpu.X0): 0, 0x42 (the VMM's MMIO data), 0x1 (the vGIC read), 0x10000 (PSCI_VERSION) */
#define X0_ZERO    0
#define X0_DATA    1
#define X0_VGIC    2
#define X0_PSCI    3

/* RunState (Machines.RunState) and ExitCauseKind of the run loop */
#define VMM   0
#define ENTER 1
#define GUEST 2
#define EXIT  3
#define C_SWSTEP    0
#define C_HOSTIRQ   1
#define C_MMIO_USER 2
#define C_MMIO_KERN 3
#define C_HVC       4

byte prog[L];   /* GuestProgram.Body */
byte nb;        /* instructions chosen so far (the program is complete when nb == L) */
byte pc;        /* (PC - GuestProgram.Base) / 4, 0..L */
bit  ss;        /* PSTATE.SS */
bit  dbg;       /* guest_debug == ENABLE|SINGLESTEP (HostDebugState.SingleStep) */
bit  hw;        /* the last entry's hardware: HwMDSCR_EL1.SS and MDCR_EL2.TDE (both = host debug) */
bit  pend;      /* an MMIO load awaits completion: exit_reason == KVM_EXIT_MMIO && Mmio != null */
bit  md;        /* mmio_data == 0x42 (written by the VMM) */
bit  sig;       /* SignalPending (left by Simulator.Settle's kick) */
byte er;        /* exit_reason */
byte x0;        /* X0 */
byte ret;       /* STEP-ONE: instructions retired since the host step began (saturates at 2) */
byte d;         /* VMM actions taken */

hidden byte n;      /* Simulator.Settle's automatic steps */
hidden byte rs;     /* RunState inside KVM_RUN */
hidden byte cause;  /* Vcpu.Cause */
hidden byte hirq;   /* HostIrqPending */

/* A retirement (Retired event) while the host steps counts for STEP-ONE. */
inline retire() { if :: dbg -> ret = (ret < 2 -> ret + 1 : 2) :: else -> skip fi }

/* KVM_EXIT_DEBUG ends the step: STEP-ONE (docs/invariants.md): exactly one instruction retired. */
inline step_exit() { er = ER_DEBUG; assert(ret == 1); ret = 0; rs = VMM }

/* TrapEmulation rows "kvm_handle_mmio_return": NothingToComplete (v4.15: MmioReturn.WhileExitReasonMmio),
 * else SkipsAtDecode: complete_access (Rt := mmio_data) and retire_completion_at_decode_pc (Mmio := null). */
inline mmio_return() {
  if
  :: pend -> x0 = (md -> X0_DATA : X0_ZERO); pend = 0; retire()
  :: else -> skip
  fi
}

/* The run loop: Simulator.Settle over RunProtocol's automatic rows (enter, execute, handle_exit). */
inline run_loop() {
  n = 0; hirq = 0;
  do
  :: rs == VMM -> break
  :: else ->
     if
     :: rs == ENTER ->
        if
        :: sig -> sig = 0; er = ER_INTR; rs = VMM          /* "arm.c: signal_pending -> KVM_EXIT_INTR" */
        :: else ->                                           /* "arm.c run loop: kvm_arm_setup_debug ... ERET" */
           hw = dbg;                                         /* GuestDebug.kvm_arm_setup_debug: MDSCR_EL1.SS, TDE := host */
           ss = (dbg -> 1 : ss);                             /* SetupDebug.ForceSsEveryEntry: SPSR.SS := 1 */
           ss = (hw && ss -> 1 : 0);                         /* Cpu.world_switch_enter: DebugExceptionReturnSS */
           rs = GUEST
        fi
     :: rs == GUEST ->
        if
        :: hirq -> hirq = 0; cause = C_HOSTIRQ; rs = EXIT    /* Cpu.HostIrqPending: "host IRQ: exit to EL2" */
        :: else ->
           if
           :: hw && !ss -> cause = C_SWSTEP; rs = EXIT        /* Cpu.SoftwareStepToEl2 (active-pending, TDE) */
           :: else ->
              if
              :: pc < L && prog[pc] == MMIO_USER -> cause = C_MMIO_USER; rs = EXIT   /* Cpu.InstructionTrapsToEl2 */
              :: pc < L && prog[pc] == MMIO_KERN -> cause = C_MMIO_KERN; rs = EXIT
              :: pc < L && prog[pc] == HVC ->                 /* Cpu.trap_to_el2: HVC completes first (Complete) */
                 pc++; ss = (hw && ss -> 0 : ss); retire(); cause = C_HVC; rs = EXIT
              :: else ->                                      /* "native execution": Cpu.execute -> Complete, SSAdvance */
                 pc = (pc < L -> pc + 1 : 0); ss = (hw && ss -> 0 : ss); retire()
              fi
           fi
        fi
     :: else ->                                              /* rs == EXIT: handle_exit rows in order */
        if
        :: cause == C_SWSTEP -> step_exit()                  /* "kvm_handle_guest_debug (SOFTSTP_LOW)" */
        :: cause == C_HOSTIRQ -> rs = ENTER                  /* "ARM_EXCEPTION_IRQ, re-enter" */
        :: cause == C_MMIO_USER ->                           /* "io_mem_abort -> KVM_EXIT_MMIO": decode_hsr skipped (v4.15) */
           pc++; pend = 1; er = ER_MMIO; rs = VMM
        :: else ->                                           /* handled in the kernel: handle_in_kernel */
           if
           :: cause == C_MMIO_KERN -> x0 = X0_VGIC; retire(); pc++   /* emulated: retire_by_kvm, kvm_skip_instr (PC only) */
           :: else -> x0 = X0_PSCI                                    /* kvm_hvc_call_handler: the PC is already past the HVC */
           fi;
           if
           :: dbg -> step_exit()                             /* v4.15 HandledInKernelWithStepExit: kvm_arm_handle_step_debug */
           :: else -> rs = ENTER
           fi
        fi
     fi;
     n++;
     if                                                      /* Simulator.Settle's kick: a signal and a host IPI */
     :: n == FUEL -> sig = 1; hirq = (rs == GUEST -> 1 : 0)
     :: else -> skip
     fi
  od;
  n = 0; rs = VMM; cause = 0; hirq = 0
}

/* RunProtocol KVM_RUN rows, in order. */
inline kvm_run(imm) {
  if
  :: dbg && pend -> mmio_return(); step_exit()               /* StepExitAfterMmioReturn: kvm_arm_handle_step_debug after kvm_handle_mmio_return */
  :: else ->
     if
     :: imm -> mmio_return()                                 /* ImmediateExitRequested: -EINTR, exit_reason unchanged */
     :: else -> mmio_return(); rs = ENTER; run_loop()        /* "arm.c kvm_arch_vcpu_ioctl_run" */
     fi
  fi
}

active proctype vcpu()
{
end:
  do
  /* the guest program, one instruction per transition */
  :: d_step { nb < L -> prog[nb] = NOP; nb++ }
  :: d_step { nb < L -> prog[nb] = MMIO_USER; nb++ }
  :: d_step { nb < L -> prog[nb] = MMIO_KERN; nb++ }
  :: d_step { nb < L -> prog[nb] = HVC; nb++ }
  /* KVM_SET_GUEST_DEBUG(ENABLE|SINGLESTEP): GuestDebug store_guest_debug; turning stepping on starts a step */
  :: d_step { nb == L && d < D -> d++; ret = (dbg -> ret : 0); dbg = 1 }
  /* KVM_SET_GUEST_DEBUG(0): GuestDebug clear_guest_debug */
  :: d_step { nb == L && d < D -> d++; ret = 0; dbg = 0 }
  /* KVM_RUN */
  :: d_step { nb == L && d < D -> d++; kvm_run(0) }
  /* KVM_RUN with immediate_exit = 1 */
  :: d_step { nb == L && d < D -> d++; kvm_run(1) }
  /* the VMM writes kvm_run.mmio.data = 0x42 (RunProtocol write_mmio_data) */
  :: d_step { nb == L && d < D -> d++; md = 1 }
  od
}
