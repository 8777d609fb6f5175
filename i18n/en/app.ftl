app-title = Daftar
lang-name = English
lang-switch = Language
# Enrolment and PIN
enrol-title = Enrol this tablet
enrol-intro = Enter the server address and the one-time code from your supervisor, or scan the QR code.
enrol-server = Server address
enrol-code = Enrolment code
enrol-scan = Scan QR code
enrol-submit = Enrol
enrol-training = Training mode (no server)
pin-create-title = Choose your PIN
pin-create-intro = 4 to 12 digits. It protects the interviews on this tablet.
pin-label = PIN
pin-confirm = Confirm PIN
pin-mismatch = The two PINs differ.
pin-unlock-title = Hello { $name }
pin-unlock-intro = Enter your PIN to unlock.
pin-submit = Unlock
pin-create-submit = Save PIN
lock = Lock
locked-after = The app locks after { NUMBER($minutes) ->
    [one] { NUMBER($minutes) } minute
   *[other] { NUMBER($minutes) } minutes
  } without use.
# Home
home-title = My work
home-search = Search
home-new = New interview
home-empty = Nothing here yet.
home-last-sync = Last sync: { $when }
home-never-synced = Never synced
home-count = { NUMBER($count) ->
    [0] no interviews
    [one] { NUMBER($count) } interview
   *[other] { NUMBER($count) } interviews
  }
status-to_start = To start
status-in_progress = In progress
status-completed = Completed
status-sent = Sent
status-approved = Approved
status-rejected = Rejected with comments
quota-title = My quotas
quota-open = Open
quota-nearly_full = Nearly full
quota-full = Full
quota-fill = { NUMBER($fill) } / { NUMBER($target) }
open = Open
start = Start
receipt = Receipt no. { $sequence } ({ $when })
assignment-quantity = { $used } of { $quantity } interviews done
assignment-unlimited = { $used ->
    [one] { $used } interview done
   *[other] { $used } interviews done
 }, no limit
supervisor-note = Supervisor's note: { $note }
# Interview
nav-previous = Previous
nav-next = Next
nav-sections = Sections
nav-review = Review and finish
nav-home = Home
screen-position = { NUMBER($position) } of { NUMBER($count) }
required = required
confirm-warning = I confirm
warning-confirmed = Warning confirmed
clear-answer = Clear
search-list = Search the list
no-match = No match
amount = Amount
currency = Currency
gps-capture = Record position
gps-accuracy = Accuracy: { NUMBER($metres, maximumFractionDigits: 0) } m
gps-unavailable = Position unavailable
gps-capturing = Looking for the position…
gps-denied = Location permission refused: allow it in the tablet's settings.
roster-add = Add a row
roster-remove = Remove
roster-open = Open
roster-overview = Overview
roster-empty = No rows
roster-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-done = Done
section-problems = { NUMBER($count) ->
    [one] { NUMBER($count) } problem
   *[other] { NUMBER($count) } problems
  }
comment = Supervisor's comment
yes = Yes
no = No
acknowledge = OK
# Review
review-title = Review before finishing
review-answered = { NUMBER($answered) } answers to { NUMBER($questions) } questions
review-unanswered = Unanswered
review-error = Error
review-warning = Warning
review-comment = Comment
review-all-good = Everything is ready.
review-complete = Finish the interview
review-back = Back to the interview
review-go = Go to the question
# Sync
sync = Sync
sync-running = Syncing…
sync-upload = Sending { NUMBER($done) } / { NUMBER($total) }
sync-download = Receiving updates
sync-done = Sync finished: { NUMBER($sent) } sent, { NUMBER($rejected) } rejected, { NUMBER($assignments) } assignment(s).
sync-receipts = Receipts
sync-automatic = Network back: syncing automatically.
# Errors
error-wrong_pin = Wrong PIN.
error-locked_out = Too many attempts. Try again in { NUMBER($seconds) } seconds.
error-bad_pin = The PIN must be 4 to 12 digits.
error-locked = The app is locked.
error-not_enrolled = This tablet is not enrolled yet.
error-no_interview = No interview is open.
error-not_found = Not found.
error-rejected_step = This answer was not accepted.
error-questionnaire = The questionnaire cannot be loaded.
error-incomplete = The interview is not complete.
error-network = No connection to the server. Your data stays on the tablet; try again later.
error-unauthorised = The server refused this tablet. Contact your supervisor.
error-bad_code = Invalid or expired enrolment code.
error-server = The server reported an error. Try again later.
error-upload = Some interviews could not be sent; they stay on the tablet.
error-store = Storage error on the tablet.
error-local = Error on the tablet.
error-internal = Unexpected error.
error-quantity_reached = This assignment has all its interviews already.
error-scan_unavailable = This device has no camera scanner: type the server address and the code.
error-camera_denied = Camera permission refused: allow it in the tablet's settings, or type the code.
error-scan_cancelled = Scan cancelled.
error-scan_not_enrolment = This QR code is not a Daftar enrolment code.
