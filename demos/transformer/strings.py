"""Transformer lab strings, English and Simplified Chinese (same keys in both).

The explanation is written in sections, each placed beside the view that computes it
(``tr_*_md``).
"""

EN = {
    "tr_tab": "Transformer",
    "tr_intro": "The encoder–decoder Transformer of “Attention is all you need”, trained live on a small task: watch "
                "cross-attention line up source and answer. Or watch induction heads form.",
    "tr_experiment": "Experiment",
    "tr_experiment_seq2seq": "encoder–decoder on a task",
    "tr_experiment_induction": "induction heads",
    "tr_part": "Attention shown",
    "tr_layer": "Layer",
    "tr_head": "Head",
    "tr_head_all": "all heads",
    **{f"tr_head_{h}": f"head {h}" for h in range(8)},
    "tr_decode": "Decode this input",
    "tr_input_info": "Decoded by the model as it is now, step by step, whenever you press Decode or change the view.",
    "tr_model_box": "Model and training",
    "tr_settings_info": "Model settings take effect at Start, Reset, or a Step with no run yet; Resume and Step "
                        "continue the current run. The input and the attention shown can change at any time.",
    "tr_ind_info": "A two-layer, attention-only model reads random tokens repeated once, [A B C … A B C …]. Press "
                   "Start: the loss on the repeat drops suddenly when an induction head forms.",
    "tr_how_model": "The model and attention, in formulas",
    "tr_how_schedule": "The learning-rate schedule, in formulas",
    "tr_how_decoding": "Teacher forcing and free running",
    "tr_how_induction": "Induction heads and their scores",
    "tr_status_iter": "**Iteration {iteration}**",
    "tr_status_eval": "held-out inputs ({n}, never trained on) at iteration {iteration}: loss {loss} · tokens right "
                      "{tokens} · whole answers right **{exact}**",
    "tr_status_no_eval": "held-out accuracy is measured every {every} iterations.",
    "tr_status_lr": "learning rate now {lr}",
    "tr_status_refused": "⚠ Your input cannot be decoded: {why} The views decode the task's example, “{example}”, "
                         "instead.",
    "tr_ind_status_eval": "at iteration {iteration}: loss on the first copy {first}, on the repeat **{second}** · "
                          "best induction score **{induction}** (layer 1, head {ind_head}) · best previous-token score "
                          "{previous} (layer 0, head {prev_head})",
    "tr_ind_status_no_eval": "losses and head scores are measured every {every} iterations.",
    # settings
    "tr_task": "Task",
    "tr_task_reverse": "reverse a word (transforms → smrofsnart)",
    "tr_task_sort": "sort digits (3141592653 → 1123345569)",
    "tr_task_add": "add two numbers (358+64 → 422)",
    "tr_task_date": "rewrite a date (23 Nov 2026 → 2026-11-23)",
    "tr_task_zh_numerals": "Chinese numerals to digits (二千零二十六 → 2026)",
    "tr_layers": "Layers (encoder and decoder each)",
    "tr_heads": "Heads",
    "tr_d_model": "d_model (width)",
    "tr_dropout": "Dropout",
    "tr_warmup": "Warm-up steps",
    "tr_lr_scale": "Learning-rate scale",
    "tr_batch": "Batch size",
    "tr_norm": "Where LayerNorm goes",
    "tr_norm_post": "post-norm: LayerNorm(x + Sublayer(x)) (the paper)",
    "tr_norm_pre": "pre-norm: x + Sublayer(LayerNorm(x))",
    "tr_steps": "Iterations per Start",
    "tr_ind_vocab": "Distinct tokens",
    "tr_ind_half": "Tokens before the repeat (n)",
    "tr_ind_lr": "Learning rate (Adam)",
    "tr_input": "Your input",
    # errors
    "tr_err_heads": "d_model ({d_model}) must be divisible by the number of heads ({heads}): each head gets "
                    "d_model / heads dimensions.",
    "tr_err_ind_half": "The repeated part holds distinct tokens, so it can be at most as long as the number of "
                       "distinct tokens ({vocab}), got {half}.",
    "tr_err_empty": "Type an input for the model first.",
    "tr_err_layer": "Layer {layer} does not exist: the model has {layers} layer(s), numbered 0 to {last}.",
    "tr_err_head": "Head {head} does not exist: each attention has {heads} head(s), numbered 0 to {last}.",
    "tr_err_no_run": "There is no model yet: press Start, Step or Reset first.",
    "tr_err_too_long": "The input is {length} characters long; this task takes at most {high}.",
    "tr_err_chars": "This task cannot read {chars}. It knows only these characters: {allowed}",
    "tr_err_format_add": "Write two whole numbers from 0 to {high} joined by +, like 358+64; got “{value}”.",
    "tr_err_format_date": "Write a date as day, month, year, like 23 Nov 2026 (months: {months}); got “{value}”.",
    "tr_err_no_such_date": "“{value}” is not a day of the calendar.",
    "tr_err_date_range": "Dates from {low} to {high} only; got “{value}”.",
    "tr_err_format_zh": "Write a number from 0 to {high} in Chinese numerals as they are usually written, like "
                        "二千零二十六 or 一万零一十; got “{value}”.",
    # curves and schedule
    "tr_curves_title": "Training at iteration {iteration}",
    "tr_curve_loss": "Loss (nats per token)",
    "tr_train_loss": "training batch",
    "tr_heldout_loss": "held-out",
    "tr_curve_accuracy": "Held-out accuracy",
    "tr_token_acc": "tokens (teacher forcing)",
    "tr_exact_acc": "whole answers (greedy)",
    "tr_iteration": "iteration",
    "tr_schedule_title": "Noam learning-rate schedule",
    "tr_schedule_sub": "rises for {warmup} steps to {peak}, then falls as 1/√step",
    "tr_lr": "learning rate",
    "tr_now": "now (step {step})",
    # attention views
    "tr_part_encoder": "Encoder self-attention",
    "tr_part_decoder": "Decoder masked self-attention",
    "tr_part_cross": "Cross-attention",
    "tr_attn_sub": "layer {layer}, head {head}",
    "tr_heads_sub": "layer {layer}: every head",
    "tr_head_n": "head {head}",
    "tr_query": "query (looks)",
    "tr_key": "key (looked at)",
    "tr_source": "source",
    "tr_decoder_read": "decoder input",
    "tr_weight": "weight",
    # greedy decoding and teacher forcing
    "tr_decoding_title": "Greedy decoding, step by step",
    "tr_decoding_sub": "“{source}” → “{output}”",
    "tr_right": "right",
    "tr_wrong": "wrong: the answer is “{answer}”",
    "tr_step_axis": "step: the token chosen and its probability",
    "tr_looked_mean": "where each new token looked (layer {layer}, mean of the heads)",
    "tr_looked_head": "where each new token looked (layer {layer}, head {head})",
    "tr_rivals": "candidates",
    "tr_forcing_title": "Teacher forcing vs free running",
    "tr_answer": "answer",
    "tr_teacher": "teacher forcing: predicts each token after the right prefix",
    "tr_teacher_row": "teacher forcing",
    "tr_free_row": "free running",
    "tr_free": "free running: continues its own output",
    "tr_prob_right": "P(right token)",
    "tr_position": "answer position",
    # induction
    "tr_ind_curves_title": "Induction run at iteration {iteration}",
    "tr_ind_loss": "Loss (nats per token)",
    "tr_first_half": "first copy (unpredictable)",
    "tr_second_half": "repeated copy",
    "tr_ind_prev": "Previous-token score, layer 0",
    "tr_ind_score": "Induction score, layer 1",
    "tr_ind_example_title": "The circuit on one sequence",
    "tr_ind_example_sub": "rows: queries, columns: keys",
    "tr_ind_prev_head": "layer 0, head {head}: previous-token score {score}",
    "tr_ind_ind_head": "layer 1, head {head}: induction score {score}",
    # explanations, each beside its view
    "tr_model_md": r"""
**The model.** Each character becomes a vector, and its position is added:
$$X_0 = \mathrm{Embed}(X)\cdot\sqrt{d_\text{model}} + \mathrm{PositionEncoding}(X),\quad
\mathrm{PE}_{(pos,2i)} = \sin\frac{pos}{10000^{2i/d}},\ \mathrm{PE}_{(pos,2i+1)} = \cos\frac{pos}{10000^{2i/d}}$$
Every layer wraps each sublayer (attention, then the feed-forward network) in a residual connection and a LayerNorm:
$$\text{post-norm: } \mathrm{LayerNorm}(x + \mathrm{Sublayer}(x)) \qquad \text{pre-norm: } x + \mathrm{Sublayer}(\mathrm{LayerNorm}(x))$$
$$\mathrm{FFN}(x) = \max(0,\ xW_1 + b_1)\,W_2 + b_2 \quad (d_\text{ff} = 4\,d_\text{model})$$
The **encoder** reads the whole source with self-attention. The **decoder** reads the answer so far with *masked*
self-attention (a position cannot see later ones), then looks at the encoder's output with **cross-attention**
(queries from the decoder, keys and values from the encoder), and a linear layer + softmax gives the next token.
""",
    "tr_attention_md": r"""
**Attention.** Each head compares queries with keys and averages the values:
$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}} + M\right)V, \qquad
\mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)\,W^O$$
with $\mathrm{head}_i = \mathrm{Attention}(QW_i^Q, KW_i^K, VW_i^V)$ and $d_k = d_\text{model}/h$. The mask $M$ is
$-\infty$ on padding and, in the decoder's self-attention, above the diagonal (the future), so those weights are
exactly 0; each row of a map sums to 1. On *reverse*, cross-attention becomes an anti-diagonal: output position $t$
looks at source position $n-1-t$. On dates it becomes a permutation: the year is copied first, then the month, then the day.
""",
    "tr_schedule_md": r"""
**Learning rate with warm-up** (the “Noam” schedule, Vaswani et al. 2017, §5.3):
$$\mathrm{lrate} = s \cdot d_\text{model}^{-0.5}\cdot \min(\mathrm{step}^{-0.5},\ \mathrm{step}\cdot \mathrm{warmup}^{-1.5})$$
It rises linearly for *warmup* steps, then decays as $1/\sqrt{\mathrm{step}}$; $s$ is the scale. A post-norm
Transformer trained at full rate from the first step often diverges: the warm-up lets Adam's estimates settle first.
""",
    "tr_decoding_md": r"""
**Teacher forcing and free running.** In training the decoder reads the *right* answer shifted by one,
$\langle s\rangle\, y_1 \dots y_{T}$, and predicts $y_1 \dots y_T\, \langle/s\rangle$ all at once: one pass, every
prediction made after a right prefix (teacher forcing). When you use the model it must read *its own* output:
greedy decoding picks $\hat y_t = \arg\max_y p(y \mid \hat y_{<t}, x)$, appends it and runs again (free running).
One early mistake then changes everything after it: the gap between the two rows below is *exposure bias*.
""",
    "tr_induction_md": r"""
**Induction heads.** A two-layer, attention-only model reads random tokens repeated once, $[A\,B\,C\dots A\,B\,C\dots]$.
The first copy cannot be predicted (its loss stays near $\ln$ of the number of tokens); the second can, by a circuit of
two heads (Olsson et al. 2022): a layer-0 **previous-token head** copies each token's predecessor into it, and a
layer-1 **induction head** finds the earlier position whose predecessor is the current token and copies what is there.
The scores, shared with the Attention lab: previous-token score = mean attention from position $i$ to $i-1$;
induction score = mean attention from position $n+i$ of the repeat to position $i+1$. The second-copy loss falls
suddenly when the induction score rises: the phase change.
""",
}

ZH = {
    "tr_tab": "Transformer",
    "tr_intro": "《Attention is all you need》中的编码器–解码器 Transformer，在小任务上实时训练：看交叉注意力如何把"
                "源序列与答案对齐。也可以看归纳头（induction head）如何形成。",
    "tr_experiment": "实验",
    "tr_experiment_seq2seq": "编码器–解码器学一个任务",
    "tr_experiment_induction": "归纳头",
    "tr_part": "显示的注意力",
    "tr_layer": "层",
    "tr_head": "头",
    "tr_head_all": "所有头",
    **{f"tr_head_{h}": f"头 {h}" for h in range(8)},
    "tr_decode": "解码这个输入",
    "tr_input_info": "每当你按“解码”或改变视图时，用模型当前的状态一步一步解码它。",
    "tr_model_box": "模型与训练",
    "tr_settings_info": "模型设置在按“开始”“重置”或尚无运行时按“单步”时生效；“继续”和“单步”沿用当前运行。"
                        "输入和显示的注意力随时可以改。",
    "tr_ind_info": "一个两层、只有注意力的模型读重复一次的随机词元 [A B C … A B C …]。按“开始”：归纳头形成时，"
                   "重复部分的损失会突然下降。",
    "tr_how_model": "模型与注意力的公式",
    "tr_how_schedule": "学习率调度的公式",
    "tr_how_decoding": "教师强制与自由运行",
    "tr_how_induction": "归纳头及其得分",
    "tr_status_iter": "**第 {iteration} 次迭代**",
    "tr_status_eval": "留出集（{n} 个从未训练过的输入），第 {iteration} 次迭代：损失 {loss} · 词元正确 {tokens} · "
                      "整个答案正确 **{exact}**",
    "tr_status_no_eval": "留出集准确率每 {every} 次迭代测一次。",
    "tr_status_lr": "当前学习率 {lr}",
    "tr_status_refused": "⚠ 你的输入无法解码：{why} 视图改为解码这个任务的示例“{example}”。",
    "tr_ind_status_eval": "第 {iteration} 次迭代：第一遍的损失 {first}，重复部分的损失 **{second}** · "
                          "最高归纳得分 **{induction}**（第 1 层，头 {ind_head}）· 最高前一词元得分 {previous}"
                          "（第 0 层，头 {prev_head}）",
    "tr_ind_status_no_eval": "损失和各头得分每 {every} 次迭代测一次。",
    "tr_task": "任务",
    "tr_task_reverse": "反转单词（transforms → smrofsnart）",
    "tr_task_sort": "数字排序（3141592653 → 1123345569）",
    "tr_task_add": "两数相加（358+64 → 422）",
    "tr_task_date": "改写日期（23 Nov 2026 → 2026-11-23）",
    "tr_task_zh_numerals": "中文数字转阿拉伯数字（二千零二十六 → 2026）",
    "tr_layers": "层数（编码器与解码器各）",
    "tr_heads": "注意力头数",
    "tr_d_model": "d_model（宽度）",
    "tr_dropout": "Dropout",
    "tr_warmup": "预热步数",
    "tr_lr_scale": "学习率倍数",
    "tr_batch": "批大小",
    "tr_norm": "LayerNorm 的位置",
    "tr_norm_post": "后归一化：LayerNorm(x + Sublayer(x))（原论文）",
    "tr_norm_pre": "前归一化：x + Sublayer(LayerNorm(x))",
    "tr_steps": "每次“开始”训练的迭代数",
    "tr_ind_vocab": "不同词元的个数",
    "tr_ind_half": "重复前的词元数（n）",
    "tr_ind_lr": "学习率（Adam）",
    "tr_input": "你的输入",
    "tr_err_heads": "d_model（{d_model}）必须能被头数（{heads}）整除：每个头分到 d_model / 头数 个维度。",
    "tr_err_ind_half": "重复的部分由互不相同的词元组成，长度不能超过不同词元的个数（{vocab}），收到的是 {half}。",
    "tr_err_empty": "请先输入要交给模型的内容。",
    "tr_err_layer": "第 {layer} 层不存在：模型共有 {layers} 层，编号 0 到 {last}。",
    "tr_err_head": "头 {head} 不存在：每个注意力有 {heads} 个头，编号 0 到 {last}。",
    "tr_err_no_run": "还没有模型：请先按“开始”“单步”或“重置”。",
    "tr_err_too_long": "输入有 {length} 个字符；这个任务最多接受 {high} 个。",
    "tr_err_chars": "这个任务读不了 {chars}。它只认识这些字符：{allowed}",
    "tr_err_format_add": "请写两个 0 到 {high} 的整数，用 + 连接，例如 358+64；收到的是“{value}”。",
    "tr_err_format_date": "请按 日 月 年 写日期，例如 23 Nov 2026（月份：{months}）；收到的是“{value}”。",
    "tr_err_no_such_date": "“{value}”不是日历上存在的日期。",
    "tr_err_date_range": "只接受 {low} 年到 {high} 年的日期；收到的是“{value}”。",
    "tr_err_format_zh": "请用通常的中文数字写法写一个 0 到 {high} 的数，例如 二千零二十六 或 一万零一十；收到的是“{value}”。",
    "tr_curves_title": "训练到第 {iteration} 次迭代",
    "tr_curve_loss": "损失（每词元 nats）",
    "tr_train_loss": "训练批",
    "tr_heldout_loss": "留出集",
    "tr_curve_accuracy": "留出集准确率",
    "tr_token_acc": "词元（教师强制）",
    "tr_exact_acc": "整个答案（贪心解码）",
    "tr_iteration": "迭代",
    "tr_schedule_title": "Noam 学习率调度",
    "tr_schedule_sub": "前 {warmup} 步线性升到 {peak}，之后按 1/√step 下降",
    "tr_lr": "学习率",
    "tr_now": "当前（第 {step} 步）",
    "tr_part_encoder": "编码器自注意力",
    "tr_part_decoder": "解码器掩码自注意力",
    "tr_part_cross": "交叉注意力",
    "tr_attn_sub": "第 {layer} 层，第 {head} 个头",
    "tr_heads_sub": "第 {layer} 层：所有头",
    "tr_head_n": "头 {head}",
    "tr_query": "查询（看的一方）",
    "tr_key": "键（被看的一方）",
    "tr_source": "源序列",
    "tr_decoder_read": "解码器输入",
    "tr_weight": "权重",
    "tr_decoding_title": "贪心解码，一步一步",
    "tr_decoding_sub": "“{source}” → “{output}”",
    "tr_right": "正确",
    "tr_wrong": "错误：答案是“{answer}”",
    "tr_step_axis": "步：选中的词元及其概率",
    "tr_looked_mean": "每个新词元看向哪里（第 {layer} 层，各头平均）",
    "tr_looked_head": "每个新词元看向哪里（第 {layer} 层，第 {head} 个头）",
    "tr_rivals": "候选",
    "tr_forcing_title": "教师强制与自由运行",
    "tr_answer": "答案",
    "tr_teacher": "教师强制：在正确前缀之后预测每个词元",
    "tr_teacher_row": "教师强制",
    "tr_free_row": "自由运行",
    "tr_free": "自由运行：接着自己的输出往下写",
    "tr_prob_right": "P(正确词元)",
    "tr_position": "答案中的位置",
    "tr_ind_curves_title": "归纳头实验：第 {iteration} 次迭代",
    "tr_ind_loss": "损失（每词元 nats）",
    "tr_first_half": "第一遍（无法预测）",
    "tr_second_half": "重复的一遍",
    "tr_ind_prev": "前一词元得分，第 0 层",
    "tr_ind_score": "归纳得分，第 1 层",
    "tr_ind_example_title": "电路在一条序列上的表现",
    "tr_ind_example_sub": "行：查询，列：键",
    "tr_ind_prev_head": "第 0 层第 {head} 个头：前一词元得分 {score}",
    "tr_ind_ind_head": "第 1 层第 {head} 个头：归纳得分 {score}",
    "tr_model_md": r"""
**模型。** 每个字符变成一个向量，再加上它的位置编码：
$$X_0 = \mathrm{Embed}(X)\cdot\sqrt{d_\text{model}} + \mathrm{PositionEncoding}(X),\quad
\mathrm{PE}_{(pos,2i)} = \sin\frac{pos}{10000^{2i/d}},\ \mathrm{PE}_{(pos,2i+1)} = \cos\frac{pos}{10000^{2i/d}}$$
每一层把每个子层（注意力，然后前馈网络）包在残差连接和 LayerNorm 里：
$$\text{后归一化：} \mathrm{LayerNorm}(x + \mathrm{Sublayer}(x)) \qquad \text{前归一化：} x + \mathrm{Sublayer}(\mathrm{LayerNorm}(x))$$
$$\mathrm{FFN}(x) = \max(0,\ xW_1 + b_1)\,W_2 + b_2 \quad (d_\text{ff} = 4\,d_\text{model})$$
**编码器**用自注意力读完整个源序列。**解码器**用*掩码*自注意力读已经写出的答案（一个位置看不到它后面的位置），
再用**交叉注意力**看编码器的输出（查询来自解码器，键和值来自编码器），最后线性层 + softmax 给出下一个词元。
""",
    "tr_attention_md": r"""
**注意力。** 每个头把查询与键比较，再对值加权平均：
$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}} + M\right)V, \qquad
\mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)\,W^O$$
其中 $\mathrm{head}_i = \mathrm{Attention}(QW_i^Q, KW_i^K, VW_i^V)$，$d_k = d_\text{model}/h$。掩码 $M$ 在填充位置、以及解码器自注意力
的对角线上方（未来）取 $-\infty$，所以这些权重正好是 0；每张图的每一行加起来等于 1。在*反转*任务上，交叉注意力会变成
反对角线：输出位置 $t$ 看源位置 $n-1-t$。在日期任务上它变成一个置换：先抄年份，再抄月份，最后抄日。
""",
    "tr_schedule_md": r"""
**带预热的学习率**（“Noam”调度，Vaswani 等 2017，§5.3）：
$$\mathrm{lrate} = s \cdot d_\text{model}^{-0.5}\cdot \min(\mathrm{step}^{-0.5},\ \mathrm{step}\cdot \mathrm{warmup}^{-1.5})$$
前 *warmup* 步线性上升，之后按 $1/\sqrt{\mathrm{step}}$ 衰减；$s$ 是倍数。后归一化的 Transformer 如果从第一步就用
全速学习率，常常会发散：预热让 Adam 的估计先稳定下来。
""",
    "tr_decoding_md": r"""
**教师强制与自由运行。** 训练时解码器读的是右移一位的*正确*答案 $\langle s\rangle\, y_1 \dots y_{T}$，一次算出
$y_1 \dots y_T\, \langle/s\rangle$ 的预测：一遍前向，每个预测都在正确前缀之后做出（教师强制）。使用模型时它只能读
*自己的*输出：贪心解码选 $\hat y_t = \arg\max_y p(y \mid \hat y_{<t}, x)$，接上去再算一遍（自由运行）。
前面错一个，后面就全变了：下面两行之间的差距就是*暴露偏差*（exposure bias）。
""",
    "tr_induction_md": r"""
**归纳头。** 一个两层、只有注意力的模型读重复一次的随机词元 $[A\,B\,C\dots A\,B\,C\dots]$。第一遍无法预测
（损失停在词元数的 $\ln$ 附近）；第二遍可以，靠两个头组成的电路（Olsson 等 2022）：第 0 层的**前一词元头**
把每个词元的前一个词元抄进来，第 1 层的**归纳头**找到“前一个词元等于当前词元”的早先位置，并把那里的词元抄过来。
得分与注意力实验室共用同一定义：前一词元得分 = 位置 $i$ 对 $i-1$ 的平均注意力；归纳得分 = 重复部分位置 $n+i$
对位置 $i+1$ 的平均注意力。归纳得分上升时，第二遍的损失会突然下降：这就是相变。
""",
}
