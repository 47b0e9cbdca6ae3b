// Where each setting's default comes from, in Chinese: the settings table
// (src/lib/settings/settings.ts) holds the English, keyed the same way. Plain data, so
// a test can read it without the page.
import type { SettingKey } from '../settings/settings';

export const ZH_SOURCES: Record<SettingKey, string> = {
  'sample.k': 'InstructGPT 每次排序 K = 4 到 9 个',
  'sample.temperature': 'nanoGPT 用 0.8 采样：字符模型在 1 时会拼错（InstructGPT：T = 1）',
  'sample.topK': '关，和 InstructGPT 一样',
  'sample.topP': '关，和 InstructGPT 一样',
  'sample.maxNewTokens':
    '一个完整的回答：预设的回答 ≤ 72 个字符，提示 ≤ 40，上下文 128（“有对话”和“快乐又健谈”的回答 ≤ 80 个字符，需要 86）',
  'sft.lr': 'nanoGPT 规模的模型；InstructGPT 在 1.3B 以上用 9.65e-6',
  'sft.batchSize': '由 InstructGPT 的 32 缩小而来',
  'sft.steps':
    '实测：20 步学会 72 个字符以内的回答长度（“有对话”和“快乐又健谈”的回答长达 80 个字符，需要 40 步）；60 步会背下 24 个示范并开始拼错',
  'rm.objective': 'InstructGPT 公式 1',
  'rm.trains': '实测：npm run lessons（docs/lessons.md）',
  'rm.readout': '用 npm run lessons 实测（docs/lessons.md）：每个预设在新回答对上与金标准的一致率',
  'rm.cutOff':
    '用 npm run lessons 实测（docs/lessons.md）：在 happy-and-talkative 上，RRHF 原本塌缩成奖励模型喜欢的残句，加上它之后 RRHF 在 5 个种子中的 5 个提升金标准分数，不加时只有 2 个；在 happy-endings 上它没有多出通过的种子（RRHF 加不加都是 5 个中的 4 个，PPO 是 5 个）',
  'rm.lr': '线性头可以迈大步；InstructGPT 的 6B 奖励模型用 9e-6',
  'rm.batchSize': 'InstructGPT：64 个提示，每个带上它的所有成对比较',
  'rm.steps': '几十次排序大约一轮',
  'rm.heldoutShare': '常见的 80/20 划分',
  'ppo.lr': '接近 TRL 的 1.41e-5；在 1e-4 时策略找到了奖励模型喜欢的乱码',
  'ppo.batchSize': 'TRL 的 batch_size，按比例缩小',
  'ppo.miniBatchSize':
    'TRL 的 mini_batch_size；16 个中每批 4 个、2 轮，和每批 8 个、4 轮一样每次迭代更新 8 步，用时减半（npm run lessons，docs/lessons.md）',
  'ppo.ppoEpochs':
    'TRL 的 ppo_epochs = 4；npm run lessons（docs/lessons.md）：每批 4 个、2 轮，5 个种子中 5 个的金标准分数上升（每批 8 个、4 轮：5 个中 4 个），更新用时减半',
  'ppo.clipRange': 'PPO 论文和 TRL 的 cliprange = 0.2',
  'ppo.clipRangeValue': 'TRL 的 cliprange_value = 0.2',
  'ppo.vfCoef': 'TRL 的 vf_coef = 0.1',
  'rm.missingEosPenalty': 'TRL 的 missing_eos_penalty（默认关闭；其 PPO 示例用 1.0）',
  'ppo.lam':
    'TRL 的 lam = 0.95（GAE，Schulman 等 2016）；npm run lessons（docs/lessons.md），5 个种子：取 1 时，PPO 在 uses-dialogue 上 4 个通过（0.95 时 0 个），中文 4 个（3 个），short-and-sweet 3 个（2 个），所以这三个预设用 1；在 happy-endings 上提升更少（种子 1 和 2：金标准 0.81 → 0.46，0.96 → 0.85）',
  'ppo.klMode': 'TRL 的 adap_kl_ctrl = True',
  'ppo.klCoef': 'TRL 的 init_kl_coef = 0.2（InstructGPT：0.02）',
  'ppo.klTarget': 'TRL 的 target = 6',
  'ppo.klHorizon':
    '四次迭代，这样 β 在 30 次迭代的运行里就会起作用（TRL：10000，用于上千个批次的运行）',
  'ppo.ptxCoef': 'InstructGPT 的 PPO-ptx 用 γ = 27.8',
  'ppo.iterations': '在笔记本电脑上几分钟',
  'rrhf.lr':
    'RRHF 在 7B 上用 2e-5；在 1e-4 时排序项把回答推向拼写错误（“快乐又健谈”还要求写出所问的动物时：在 5e-5 时 RRHF 在 5 个种子中的 1 个提升金标准分数，在 1e-4、候选以 top-p 0.8 采样时在 4 个；只要快乐的结局和对话时，在 1e-4 时在 2 个，在 5e-5 时种子 1–3 中一个也没有；奖励模型也从截断的回答中学习之后，在 1e-4 时在 5 个）',
  'rrhf.batchSize': '按比例缩小',
  'rrhf.k': 'RRHF 为每个问题采样多个回答',
  'rrhf.candidates':
    'RRHF 排序的回答有多个来源，其中包括策略自己的；npm run lessons（docs/lessons.md），happy-endings，5 个种子，候选 top-p 为 1：候选来自 SFT 时，5 个种子中有 1 个金标准分数上升 ≥ 0.30 且胜率 ≥ 70%，RRHF 的词 95–99% 是真词；一半一半时 5 个中 4 个，89–97%（候选 top-p 为 0.9 时 95–98%，仍是 5 个中 4 个）；来自策略时 5 个中 4 个，84–87%',
  'rrhf.topP':
    'Holtzman 等 2019（核采样）；npm run lessons（docs/lessons.md），happy-endings，5 个种子，一半候选来自策略：为 1 时 RRHF 的词 89–97% 是语料中的词（种子 3：48 个回答中 42 个从词的中间开始）；为 0.9 时 95–98%，两种情况下 RRHF 都在 5 个种子中的 4 个提升金标准分数。中文：两种情况都是 5 个中 3 个，为 0.9 时种子 4 学会了重复同一个字',
  'rrhf.lengthPenalty': 'RRHF：p_i = Σ log π / |y_i|',
  'rrhf.iterations':
    'npm run lessons（docs/lessons.md）：60 次迭代时 RRHF 在 5 个种子中的 2 个提升了金标准分数，90 次时 4 个（候选来自策略；一半来自 SFT 时也是 5 个中 4 个）',
  'dpo.beta':
    'DPO 论文用 0.1–0.5（TRL 默认 0.1）；npm run lessons（docs/lessons.md），happy-endings 种子 1–3 相对 SFT：0.1 时金标准 +0.17 和 +0.14（KL 9.2 和 3.9 nats），0.5 时 +0.31、+0.37 和 +0.08（KL 2–5），1 时 +0.14、+0.31 和 +0.08',
  'dpo.loss':
    'Rafailov 等 2023（DPO）；Azar 等 2023（IPO），即 TRL 的 loss_type；npm run lessons（docs/lessons.md），happy-endings 种子 1–3、β 0.5：IPO 让金标准相对 SFT 变化 +0.10、+0.00 和 +0.16，KL 8–15 nats；DPO +0.31、+0.37 和 +0.08，KL 2–5',
  'dpo.lr': '同一个模型上 RRHF 的学习率；TRL 用 1e-6（7B 模型）',
  'dpo.batchSize': '按比例缩小',
  'dpo.steps':
    '四个回答的十次排序约有 60 对：大约把它们过五遍；80 步（种子 1）金标准一样（0.52），KL 是 7.9 而不是 3.2',
  'grpo.mode': 'Shao 等 2024（GRPO）；Liu 等 2025（Dr. GRPO）；Ahmadian 等 2024（RLOO）',
  'grpo.beta': 'DeepSeekMath 的 GRPO 用 0.04',
  'grpo.lr':
    'npm run lessons（docs/lessons.md），happy-endings：用 PPO 的 2e-5 时每批只更新一次（PPO 更新 8 次），5 个种子中金标准相对 SFT 只上升 +0.04 到 +0.20（KL 0.2–0.6 nats）；用 1e-4 时种子 1–3 上升 +0.62、+0.60 和 +0.43（KL 4–7）',
  'grpo.k': 'GRPO 每个问题采样一组回答（DeepSeekMath 用 64）；这里 4，和排序的 K 一样',
  'grpo.batchSize': 'PPO 每步 16 个回答，这里是 4 个提示 × 4 个回答',
  'grpo.iterations': '和 PPO 的 30 一样',
  'classroom.presenter': '关',
  'classroom.tour': '关',
};
