app-title = دفتر
lang-name = العربية
lang-switch = اللغة
# Enrolment and PIN
enrol-title = تسجيل هذا اللوح
enrol-intro = أدخل عنوان الخادم والرمز الصالح لمرة واحدة الذي أعطاك إياه المشرف، أو امسح رمز QR.
enrol-server = عنوان الخادم
enrol-code = رمز التسجيل
enrol-scan = مسح رمز QR
enrol-submit = تسجيل
enrol-training = وضع التدريب (بدون خادم)
pin-create-title = اختر رمزك السري
pin-create-intro = من 4 إلى 12 رقمًا. يحمي المقابلات على هذا اللوح.
pin-label = الرمز السري
pin-confirm = أكّد الرمز السري
pin-mismatch = الرمزان غير متطابقين.
pin-unlock-title = مرحبًا { $name }
pin-unlock-intro = أدخل رمزك السري لفتح التطبيق.
pin-submit = فتح
pin-create-submit = حفظ الرمز السري
lock = قفل
locked-after = يُقفل التطبيق بعد { NUMBER($minutes) ->
    [zero] { NUMBER($minutes) } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { NUMBER($minutes) } دقائق
    [many] { NUMBER($minutes) } دقيقة
   *[other] { NUMBER($minutes) } دقيقة
  } من عدم الاستعمال.
# Home
home-title = عملي
home-search = بحث
home-new = مقابلة جديدة
home-empty = لا شيء هنا حاليًا.
home-last-sync = آخر مزامنة: { $when }
home-never-synced = لم تتم أي مزامنة
home-count = { NUMBER($count) ->
    [zero] لا توجد مقابلات
    [one] مقابلة واحدة
    [two] مقابلتان
    [few] { NUMBER($count) } مقابلات
    [many] { NUMBER($count) } مقابلة
   *[other] { NUMBER($count) } مقابلة
  }
status-to_start = للبدء
status-in_progress = قيد الإنجاز
status-completed = مكتملة
status-sent = مُرسلة
status-approved = مقبولة
status-rejected = مرفوضة مع ملاحظات
quota-title = حصصي
quota-open = مفتوحة
quota-nearly_full = شبه ممتلئة
quota-full = ممتلئة
quota-fill = { NUMBER($fill) } / { NUMBER($target) }
open = فتح
start = بدء
receipt = إيصال رقم { $sequence } ({ $when })
assignment-quantity = أُنجزت { $used } مقابلة من أصل { $quantity }
assignment-unlimited = أُنجزت { $used } مقابلة، دون حد
supervisor-note = ملاحظة المشرف: { $note }
# Interview
nav-previous = السابق
nav-next = التالي
nav-sections = الأقسام
nav-review = المراجعة والإنهاء
nav-home = الرئيسية
screen-position = { NUMBER($position) } من { NUMBER($count) }
required = إجباري
confirm-warning = أؤكد
warning-confirmed = تم تأكيد التنبيه
clear-answer = مسح
search-list = البحث في القائمة
no-match = لا توجد نتيجة
amount = المبلغ
currency = العملة
gps-capture = تسجيل الموقع
gps-accuracy = الدقة: { NUMBER($metres, maximumFractionDigits: 0) } م
gps-unavailable = الموقع غير متاح
gps-capturing = جارٍ تحديد الموقع…
gps-denied = تم رفض الوصول إلى الموقع: اسمح به في إعدادات اللوحة.
roster-add = إضافة سطر
roster-remove = حذف
roster-open = فتح
roster-overview = نظرة عامة
roster-empty = لا توجد أسطر
roster-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-done = مكتمل
section-problems = { NUMBER($count) ->
    [zero] لا مشاكل
    [one] مشكلة واحدة
    [two] مشكلتان
    [few] { NUMBER($count) } مشاكل
    [many] { NUMBER($count) } مشكلة
   *[other] { NUMBER($count) } مشكلة
  }
comment = ملاحظة المشرف
yes = نعم
no = لا
acknowledge = حسنًا
# Review
review-title = المراجعة قبل الإنهاء
review-answered = { NUMBER($answered) } إجابة من أصل { NUMBER($questions) } سؤال
review-unanswered = بدون إجابة
review-error = خطأ
review-warning = تنبيه
review-comment = ملاحظة
review-all-good = كل شيء جاهز.
review-complete = إنهاء المقابلة
review-back = الرجوع إلى المقابلة
review-go = الذهاب إلى السؤال
# Sync
sync = مزامنة
sync-running = جارٍ المزامنة…
sync-upload = إرسال { NUMBER($done) } / { NUMBER($total) }
sync-download = استلام التحديثات
sync-done = انتهت المزامنة: { NUMBER($sent) } مُرسلة، { NUMBER($rejected) } مرفوضة، { NUMBER($assignments) } مهمة.
sync-receipts = الإيصالات
sync-automatic = عادت الشبكة: مزامنة تلقائية.
# Errors
error-wrong_pin = الرمز السري غير صحيح.
error-locked_out = محاولات كثيرة. أعد المحاولة بعد { NUMBER($seconds) } ثانية.
error-bad_pin = يجب أن يتكون الرمز السري من 4 إلى 12 رقمًا.
error-locked = التطبيق مقفل.
error-not_enrolled = هذا اللوح غير مسجل بعد.
error-no_interview = لا توجد مقابلة مفتوحة.
error-not_found = غير موجود.
error-rejected_step = لم تُقبل هذه الإجابة.
error-questionnaire = تعذر تحميل الاستمارة.
error-incomplete = المقابلة غير مكتملة.
error-network = لا يوجد اتصال بالخادم. تبقى بياناتك على اللوح؛ أعد المحاولة لاحقًا.
error-unauthorised = رفض الخادم هذا اللوح. اتصل بمشرفك.
error-bad_code = رمز التسجيل غير صالح أو منتهي الصلاحية.
error-server = أبلغ الخادم عن خطأ. أعد المحاولة لاحقًا.
error-upload = تعذر إرسال بعض المقابلات؛ تبقى على اللوح.
error-store = خطأ في التخزين على اللوح.
error-local = خطأ على اللوح.
error-internal = خطأ غير متوقع.
error-quantity_reached = هذه المهمة لديها جميع مقابلاتها بالفعل.
error-scan_unavailable = لا يتوفر هذا الجهاز على قارئ رموز: أدخل عنوان الخادم والرمز.
error-camera_denied = تم رفض الوصول إلى الكاميرا: اسمح به في إعدادات اللوحة، أو أدخل الرمز.
error-scan_cancelled = تم إلغاء المسح.
error-scan_not_enrolment = رمز QR هذا ليس رمز تسجيل في دفتر.
